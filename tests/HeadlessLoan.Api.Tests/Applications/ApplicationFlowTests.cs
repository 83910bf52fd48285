using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using HeadlessLoan.Api.Features.Applications;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Idempotency;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessLoan.Api.Tests.Applications;

public sealed class ApplicationFlowTests(ApplicationsApiFactory api) : IClassFixture<ApplicationsApiFactory>
{
    [Fact]
    public async Task ABorrowerAppliesUploadsTheSamplesConsentsAndSubmits()
    {
        var productId = await api.CreateProductIdAsync();
        using var borrower = await api.CreateBorrowerClientAsync();

        var createdResponse = await borrower.PostAsJsonAsync("/v1/applications", Intake.ValidApplication(productId));
        await createdResponse.AssertStatusAsync(HttpStatusCode.Created);
        var created = await createdResponse.ReadJsonAsync();
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal($"/v1/applications/{id}", createdResponse.Headers.Location?.OriginalString);
        Assert.Equal("draft", created.GetProperty("status").GetString());
        Assert.Equal("documents", created.GetProperty("currentStep").GetString());
        Assert.Equal("张*", created.GetProperty("applicant").GetProperty("name").GetString());
        Assert.Equal(1, created.GetProperty("productVersion").GetInt32());
        Assert.False(created.TryGetProperty("decision", out _));

        var front = await borrower.UploadSampleAsync(id, "id_front", "id-front-valid");
        Assert.Equal("accepted", front.GetProperty("status").GetString());
        Assert.Empty(front.ErrorCodes());
        Assert.Equal("image/png", front.GetProperty("contentType").GetString());
        Assert.Equal("1101**********0011", front.GetProperty("extracted").GetProperty("idNumber").GetString());
        Assert.Equal("张*", front.GetProperty("extracted").GetProperty("name").GetString());

        var back = await borrower.UploadSampleAsync(id, "id_back", "id-back-valid");
        Assert.Equal("accepted", back.GetProperty("status").GetString());
        Assert.Equal("2040-01-05", back.GetProperty("extracted").GetProperty("validUntil").GetString());

        var card = await borrower.UploadSampleAsync(id, "bank_card", "card-valid");
        Assert.Equal("accepted", card.GetProperty("status").GetString());
        Assert.Equal("622202*********5679", card.GetProperty("extracted").GetProperty("cardNumber").GetString());
        Assert.Equal("ICBC", card.GetProperty("extracted").GetProperty("cardBank").GetString());

        using var consentRequest = new HttpRequestMessage(HttpMethod.Post, $"/v1/applications/{id}/consents")
        {
            Content = JsonContent.Create(new { purpose = "credit_bureau_query", textVersion = "2026-01" }),
        };
        consentRequest.Headers.UserAgent.ParseAdd("MiniProgram/8.0.50");
        var consentResponse = await borrower.SendAsync(consentRequest);
        await consentResponse.AssertStatusAsync(HttpStatusCode.Created);
        var consent = await consentResponse.ReadJsonAsync();
        Assert.Equal("borrower", consent.GetProperty("grantedByKind").GetString());
        Assert.Equal(created.GetProperty("borrowerId").GetGuid(), consent.GetProperty("grantedById").GetGuid());

        var submitResponse = await borrower.PostAsync($"/v1/applications/{id}/submit", null);
        await submitResponse.AssertStatusAsync(HttpStatusCode.Accepted);
        var submitted = await submitResponse.ReadJsonAsync();
        Assert.Equal("submitted", submitted.GetProperty("status").GetString());
        Assert.Equal("credit_check", submitted.GetProperty("currentStep").GetString());
        Assert.Equal(api.Clock.GetUtcNow(), submitted.GetProperty("submittedAt").GetDateTimeOffset());

        var read = await (await borrower.GetAsync($"/v1/applications/{id}")).ReadJsonAsync();
        var applicant = read.GetProperty("applicant");
        Assert.Equal("1101**********0011", applicant.GetProperty("idNumber").GetString());
        Assert.Equal("张*", applicant.GetProperty("idName").GetString());
        Assert.Equal("2040-01-05", applicant.GetProperty("idValidUntil").GetString());
        Assert.Equal("622202*********5679", applicant.GetProperty("cardNumber").GetString());
        Assert.Equal("ICBC", applicant.GetProperty("cardBank").GetString());
        Assert.Equal("110101", applicant.GetProperty("regionCode").GetString());
        Assert.True(read.GetProperty("consentGiven").GetBoolean());
        Assert.Empty(read.GetProperty("reasons").EnumerateArray());
        Assert.False(read.TryGetProperty("decision", out _));
        Assert.Equal(["id_front", "id_back", "bank_card"], read.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("kind").GetString()));
        Assert.All(read.GetProperty("documents").EnumerateArray(), d => Assert.Equal("accepted", d.GetProperty("status").GetString()));

        await using var db = await api.OpenDatabaseAsync();
        var outbox = await db.QuerySingleAsync<(string Payload, DateTime OccurredAt)>(
            "SELECT CAST(payload AS CHAR), occurred_at FROM outbox_events WHERE event_type = 'application.submitted' AND entity_id = @id", new { id });
        Assert.Equal(id, JsonDocument.Parse(outbox.Payload).RootElement.GetProperty("applicationId").GetGuid());
        var stored = await db.QuerySingleAsync<(string Status, DateTime SubmittedAt)>("SELECT status, submitted_at FROM applications WHERE id = @id", new { id });
        Assert.Equal("submitted", stored.Status);
        Assert.Equal(stored.SubmittedAt, outbox.OccurredAt);
        var recorded = await db.QuerySingleAsync<(string Kind, string TextVersion, string? UserAgent)>(
            "SELECT granted_by_kind, text_version, user_agent FROM application_consents WHERE application_id = @id", new { id });
        Assert.Equal(("borrower", "2026-01", "MiniProgram/8.0.50"), recorded);
    }

    [Fact]
    public async Task PersonalDataIsEncryptedInTheDatabaseAndTheBlobStore()
    {
        var productId = await api.CreateProductIdAsync();
        using var borrower = await api.CreateBorrowerClientAsync();
        var id = (await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid();
        await borrower.CompleteAsync(id);

        await using var db = await api.OpenDatabaseAsync();
        var row = await db.QuerySingleAsync<(byte[] IdNumber, byte[] IdHash, byte[] Card, byte[] CardHash, byte[] Name, byte[] IdName, byte[] Address)>(
            "SELECT id_number_enc, id_number_hash, card_number_enc, card_number_hash, declared_name_enc, id_name_enc, declared_address_enc FROM applications WHERE id = @id",
            new { id });
        var everything = Combine(row.IdNumber, row.IdHash, row.Card, row.CardHash, row.Name, row.IdName, row.Address);
        foreach (var clear in new[] { "110101199003070011", "6222020200112345679", Intake.DeclaredName, "沙箱路" })
        {
            Assert.False(Contains(everything, Encoding.UTF8.GetBytes(clear)), $"'{clear}' is stored in clear");
            Assert.False(Contains(everything, Encoding.ASCII.GetBytes(Convert.ToHexString(Encoding.UTF8.GetBytes(clear)))), $"'{clear}' is stored as hex");
        }

        Assert.Equal((byte)'t', row.IdNumber[2]); // the envelope carries the key id ("t1")
        var keys = (await db.QueryAsync<string>("SELECT blob_key FROM application_documents WHERE application_id = @id", new { id })).ToList();
        Assert.Equal(3, keys.Count);
        foreach (var key in keys)
        {
            var path = Path.Combine(api.BlobRoot, key);
            Assert.True(File.Exists(path), path);
            Intake.AssertIsNoImage(await File.ReadAllBytesAsync(path));
        }
    }

    [Fact]
    public async Task SubmittingTwiceIsAConflictButAReplayWithTheSameKeyGivesTheFirstAnswer()
    {
        var productId = await api.CreateProductIdAsync();
        using var borrower = await api.CreateBorrowerClientAsync();
        var id = (await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid();
        await borrower.CompleteAsync(id);
        var key = Guid.NewGuid().ToString();

        var first = await borrower.SubmitAsync(id, key);
        var replay = await borrower.SubmitAsync(id, key);
        var again = await borrower.SubmitAsync(id, null);

        await first.AssertStatusAsync(HttpStatusCode.Accepted);
        await replay.AssertStatusAsync(HttpStatusCode.Accepted);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await replay.Content.ReadAsStringAsync());
        await again.AssertProblemAsync(HttpStatusCode.Conflict, "application_not_draft");
        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(1, await db.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM outbox_events WHERE event_type = 'application.submitted' AND entity_id = @id", new { id }));

        // Stored with the submit itself: the answer a retry after a crash would get.
        var stored = await db.QuerySingleAsync<(int StatusCode, string Location, byte[] Body)>(
            "SELECT status_code, location, response_body FROM idempotency_requests WHERE idem_key = @key", new { key });
        Assert.Equal(202, stored.StatusCode);
        Assert.Equal($"/v1/applications/{id}", stored.Location);
        Assert.Equal(await first.Content.ReadAsByteArrayAsync(), stored.Body);
        Assert.Equal(first.Headers.Location, replay.Headers.Location);
        Assert.Equal(first.Content.Headers.ContentType, replay.Content.Headers.ContentType);
    }

    [Fact]
    public async Task ASubmitKeyUsedForAnotherApplicationIsRefused()
    {
        var productId = await api.CreateProductIdAsync();
        using var borrower = await api.CreateBorrowerClientAsync();
        var first = (await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid();
        var second = (await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid();
        await borrower.CompleteAsync(first);
        await borrower.CompleteAsync(second);
        var key = Guid.NewGuid().ToString();

        await (await borrower.SubmitAsync(first, key)).AssertStatusAsync(HttpStatusCode.Accepted);
        await (await borrower.SubmitAsync(second, key)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");

        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal("draft", await db.QuerySingleAsync<string>("SELECT status FROM applications WHERE id = @second", new { second }));
    }

    [Fact]
    public async Task ASubmitWhoseKeyHasAFinishedAnswerOfAnotherRequestIsRefusedAndNotMade()
    {
        var productId = await api.CreateProductIdAsync();
        using var borrower = await api.CreateBorrowerClientAsync();
        var me = (await (await borrower.GetAsync("/v1/borrowers/me")).ReadJsonAsync()).GetProperty("id").GetGuid();
        var id = (await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid();
        await borrower.CompleteAsync(id);
        var key = Guid.NewGuid().ToString();
        await using var db = await api.OpenDatabaseAsync();
        await db.ExecuteAsync("""
            INSERT INTO idempotency_requests (scope, idem_key, request_hash, completed, status_code, content_type, location, response_body, locked_at, expires_at)
            VALUES (@scope, @key, 'earlier', 1, 202, 'application/json', '/earlier', 'stored', UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL 1 HOUR)
            """, new { scope = $"borrower:{me}", key });

        await (await borrower.SubmitAsync(id, key)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");

        Assert.Equal("draft", await db.QuerySingleAsync<string>("SELECT status FROM applications WHERE id = @id", new { id }));
    }

    [Fact]
    public async Task AfterSubmitDocumentsAndConsentsAreRefused()
    {
        var productId = await api.CreateProductIdAsync();
        using var borrower = await api.CreateBorrowerClientAsync();
        var id = (await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid();
        await borrower.CompleteAsync(id);
        await (await borrower.PostAsync($"/v1/applications/{id}/submit", null)).AssertStatusAsync(HttpStatusCode.Accepted);

        await (await borrower.UploadAsync(id, "id_front", Intake.Sample("id-front-valid"))).AssertProblemAsync(HttpStatusCode.Conflict, "application_not_draft");
        await (await borrower.ConsentAsync(id)).AssertProblemAsync(HttpStatusCode.Conflict, "application_not_draft");
    }

    [Fact]
    public async Task SubmittingAnIncompleteApplicationListsWhatIsMissing()
    {
        var productId = await api.CreateProductIdAsync();
        using var borrower = await api.CreateBorrowerClientAsync();
        var id = (await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid();

        var empty = await (await borrower.PostAsync($"/v1/applications/{id}/submit", null)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "application_incomplete");
        Assert.Equal(
            ["consents.credit_bureau_query", "documents.bank_card", "documents.id_back", "documents.id_front"],
            empty.ErrorFields().Order(StringComparer.Ordinal));

        await borrower.UploadSampleAsync(id, "id_front", "id-front-valid");
        await borrower.UploadSampleAsync(id, "id_back", "id-back-expired"); // rejected: does not count
        await (await borrower.ConsentAsync(id)).AssertStatusAsync(HttpStatusCode.Created);
        var partial = await (await borrower.PostAsync($"/v1/applications/{id}/submit", null)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "application_incomplete");
        Assert.Equal(["documents.bank_card", "documents.id_back"], partial.ErrorFields().Order(StringComparer.Ordinal));

        var read = await (await borrower.GetAsync($"/v1/applications/{id}")).ReadJsonAsync();
        Assert.Equal("draft", read.GetProperty("status").GetString());
    }

    [Fact]
    public async Task SubmitsArrivingTogetherAreEachDecidedOnTheirOwn()
    {
        var productId = await api.CreateProductIdAsync();
        using var borrower = await api.CreateBorrowerClientAsync();
        using var other = await api.CreateBorrowerClientAsync();
        var complete = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            var id = (await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid();
            await borrower.CompleteAsync(id);
            complete.Add(id);
        }

        var incomplete = (await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid();
        var othersId = (await other.CreateApplicationAsync(productId)).GetProperty("id").GetGuid();
        await other.CompleteAsync(othersId);

        // Every complete application three times at once, beside an incomplete one and another borrower's; each with a
        // key of its own, so answers stored with the submits and answers stored after them are replayed alike.
        var asked = complete.SelectMany(id => Enumerable.Repeat(id, 3)).Append(incomplete).Append(othersId).ToList();
        var keys = asked.Select(_ => Guid.NewGuid().ToString()).ToList();
        var answers = await Task.WhenAll(asked.Select((id, i) => borrower.SubmitAsync(id, keys[i])));
        var replays = await Task.WhenAll(asked.Select((id, i) => borrower.SubmitAsync(id, keys[i])));
        for (var i = 0; i < asked.Count; i++)
        {
            Assert.Equal(answers[i].StatusCode, replays[i].StatusCode);
            Assert.Equal("true", replays[i].Headers.GetValues("Idempotent-Replayed").Single());
            Assert.Equal(await answers[i].Content.ReadAsStringAsync(), await replays[i].Content.ReadAsStringAsync());
        }

        await using var db = await api.OpenDatabaseAsync();
        foreach (var id in complete)
        {
            var mine = answers.Where((_, i) => asked[i] == id).ToList();
            var accepted = Assert.Single(mine, a => a.StatusCode == HttpStatusCode.Accepted);
            foreach (var refused in mine.Where(a => a != accepted))
            {
                await refused.AssertProblemAsync(HttpStatusCode.Conflict, "application_not_draft");
            }

            var answered = await accepted.ReadJsonAsync();
            var read = await (await borrower.GetAsync($"/v1/applications/{id}")).ReadJsonAsync();
            Assert.Equal("submitted", answered.GetProperty("status").GetString());
            Assert.Equal(read.GetProperty("submittedAt").GetString(), answered.GetProperty("submittedAt").GetString());
            Assert.Equal(read.GetProperty("currentStep").GetString(), answered.GetProperty("currentStep").GetString());
            Assert.Equal(3, answered.GetProperty("documents").GetArrayLength());
            Assert.Equal(1, await db.ExecuteScalarAsync<int>(
                "SELECT COUNT(*) FROM outbox_events WHERE event_type = 'application.submitted' AND entity_id = @id", new { id }));
            Assert.Equal("{\"status\":\"draft\"}", await db.QuerySingleAsync<string>(
                "SELECT before_json FROM audit_records WHERE action = 'application.submitted' AND entity_id = @id", new { id = id.ToString() }));
        }

        (await answers[^2].AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "application_incomplete")).ErrorFields();
        await answers[^1].AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        foreach (var id in new[] { incomplete, othersId })
        {
            Assert.Equal("draft", await db.QuerySingleAsync<string>("SELECT status FROM applications WHERE id = @id", new { id }));
            Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox_events WHERE entity_id = @id", new { id }));
            Assert.Equal(0, await db.ExecuteScalarAsync<int>(
                "SELECT COUNT(*) FROM audit_records WHERE action = 'application.submitted' AND entity_id = @id", new { id = id.ToString() }));
        }
    }

    private static byte[] Combine(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
