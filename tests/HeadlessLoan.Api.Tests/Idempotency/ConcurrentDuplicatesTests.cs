using System.Net;
using System.Net.Http.Json;
using Dapper;
using HeadlessLoan.Api.Tests.Applications;
using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.Idempotency;

/// <summary>
/// Twenty identical requests under one key at once, for every kind of create: one effect, one original answer, the
/// others replays of it or told to come back; a retry afterwards replays the original.
/// </summary>
public sealed class ConcurrentDuplicatesTests(ApplicationsApiFactory api) : IClassFixture<ApplicationsApiFactory>
{
    private const int Duplicates = 20;
    private static readonly string[] RiskOfficer = ["risk_officer"];

    [Fact]
    public async Task A_channel_is_created_once()
    {
        using var admin = await api.CreateAdminClientAsync();
        var name = "Dup channel " + Guid.NewGuid().ToString("N")[..8];

        await AssertOneEffectAsync(admin, Json("/v1/channels", new { name }), HttpStatusCode.Created,
            "SELECT COUNT(*) FROM channels WHERE name = @name", new { name });
    }

    [Fact]
    public async Task An_api_key_is_issued_once()
    {
        using var admin = await api.CreateAdminClientAsync();
        var (channelId, _, _) = await admin.CreateChannelWithKeyAsync();

        await AssertOneEffectAsync(admin, Json($"/v1/channels/{channelId}/api-keys", new { }), HttpStatusCode.Created,
            "SELECT COUNT(*) FROM channel_api_keys WHERE channel_id = @channelId", new { channelId }, expected: 2);
    }

    [Fact]
    public async Task A_staff_account_is_created_once()
    {
        using var admin = await api.CreateAdminClientAsync();
        var username = "dup" + Guid.NewGuid().ToString("N")[..8];

        await AssertOneEffectAsync(admin, Json("/v1/staff", new { username, displayName = "Dup", password = "a-long-enough-password-1", roles = RiskOfficer }),
            HttpStatusCode.Created, "SELECT COUNT(*) FROM staff_users WHERE username = @username", new { username });
    }

    [Fact]
    public async Task A_staff_relation_is_recorded_once()
    {
        using var admin = await api.CreateAdminClientAsync();
        var username = "rel" + Guid.NewGuid().ToString("N")[..8];
        var staff = await admin.PostAsJsonAsync("/v1/staff", new { username, displayName = "Related", password = "a-long-enough-password-1", roles = RiskOfficer });
        var staffId = (await staff.ReadJsonAsync()).GetProperty("id").GetGuid();

        await AssertOneEffectAsync(admin, Json($"/v1/staff/{staffId}/relations", new { kind = "family", borrowerId = Guid.NewGuid() }), HttpStatusCode.Created,
            "SELECT COUNT(*) FROM staff_relations WHERE staff_id = @staffId", new { staffId });
    }

    [Fact]
    public async Task An_application_is_created_once()
    {
        var productId = await api.CreateProductIdAsync();
        using var borrower = await api.CreateBorrowerClientAsync();
        var me = (await (await borrower.GetAsync("/v1/borrowers/me")).ReadJsonAsync()).GetProperty("id").GetGuid();

        await AssertOneEffectAsync(borrower, Json("/v1/applications", Intake.ValidApplication(productId)), HttpStatusCode.Created,
            "SELECT COUNT(*) FROM applications WHERE borrower_id = @me", new { me });
    }

    [Fact]
    public async Task A_consent_is_recorded_once()
    {
        var (borrower, id) = await DraftAsync();
        using (borrower)
        {
            await AssertOneEffectAsync(borrower, Json($"/v1/applications/{id}/consents", new { purpose = "credit_bureau_query", textVersion = "2026-01" }),
                HttpStatusCode.Created, "SELECT COUNT(*) FROM application_consents WHERE application_id = @id", new { id });
        }
    }

    [Fact]
    public async Task A_document_is_added_once_whatever_boundary_each_attempt_picks()
    {
        var (borrower, id) = await DraftAsync();
        using (borrower)
        {
            var image = Intake.Sample("id-front-valid");
            await AssertOneEffectAsync(borrower, () =>
            {
                var form = new MultipartFormDataContent("boundary-" + Guid.NewGuid().ToString("N"));
                var file = new ByteArrayContent(image);
                file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
                form.Add(new StringContent("id_front"), "kind");
                form.Add(file, "file", "photo.png");
                return new HttpRequestMessage(HttpMethod.Post, $"/v1/applications/{id}/documents") { Content = form };
            }, HttpStatusCode.Created, "SELECT COUNT(*) FROM application_documents WHERE application_id = @id", new { id });
        }
    }

    [Fact]
    public async Task A_submit_happens_once()
    {
        var (borrower, id) = await DraftAsync();
        using (borrower)
        {
            await borrower.CompleteAsync(id);
            await AssertOneEffectAsync(borrower, () => new HttpRequestMessage(HttpMethod.Post, $"/v1/applications/{id}/submit"), HttpStatusCode.Accepted,
                "SELECT COUNT(*) FROM audit_records WHERE entity_id = @id AND action = 'application.submitted'", new { id = id.ToString() });
        }
    }

    private async Task<(HttpClient Borrower, Guid Id)> DraftAsync()
    {
        var productId = await api.CreateProductIdAsync();
        var borrower = await api.CreateBorrowerClientAsync();
        return (borrower, (await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid());
    }

    private static Func<HttpRequestMessage> Json(string path, object body) => () => new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };

    private async Task AssertOneEffectAsync(HttpClient client, Func<HttpRequestMessage> request, HttpStatusCode created, string countSql, object countArgs, int expected = 1)
    {
        var key = Guid.NewGuid().ToString();
        var responses = await Task.WhenAll(Enumerable.Range(0, Duplicates).Select(_ => SendAsync(client, request(), key)));

        var ids = new List<Guid>();
        foreach (var response in responses)
        {
            if (response.StatusCode == HttpStatusCode.Conflict)
            {
                await response.AssertProblemAsync(HttpStatusCode.Conflict, "idempotency_in_progress");
                continue;
            }

            await response.AssertStatusAsync(created);
            ids.Add((await response.ReadJsonAsync()).GetProperty("id").GetGuid());
        }

        Assert.Single(responses, r => r.StatusCode == created && !r.Headers.Contains("Idempotent-Replayed"));
        var retry = await SendAsync(client, request(), key);
        await retry.AssertStatusAsync(created);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        ids.Add((await retry.ReadJsonAsync()).GetProperty("id").GetGuid());
        Assert.Single(ids.Distinct());

        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(expected, await db.ExecuteScalarAsync<int>(countSql, countArgs));
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpRequestMessage request, string key)
    {
        using (request)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
            return await client.SendAsync(request);
        }
    }
}
