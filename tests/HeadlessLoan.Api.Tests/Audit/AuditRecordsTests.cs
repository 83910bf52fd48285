using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Tests.Decisions;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessLoan.Api.Tests.Audit;

/// <summary>Every kind of change leaves its record, readable by auditors and admins only.</summary>
public sealed class AuditRecordsTests(PipelineFactory api) : IClassFixture<PipelineFactory>
{
    private static readonly string[] AuditorRole = ["auditor"];

    private static async Task<List<JsonElement>> RecordsAsync(HttpClient auditor, string entity, Guid id)
    {
        var page = await (await auditor.GetAsync($"/v1/audit?entity={entity}&entityId={id}&limit=200")).ReadJsonAsync();
        // Oldest first reads more naturally in assertions.
        return page.GetProperty("items").EnumerateArray().Reverse().ToList();
    }

    private static IEnumerable<string> Actions(IEnumerable<JsonElement> records) => records.Select(r => r.GetProperty("action").GetString()!);

    [Fact]
    public async Task ProductChangesAreRecordedWithTheAdminAsActorAndBeforeAndAfter()
    {
        using var admin = await api.CreateAdminClientAsync();
        var adminId = (await (await admin.GetAsync("/v1/me")).ReadJsonAsync()).GetProperty("id").GetString();
        var id = (await admin.CreateProductAsync()).GetProperty("id").GetGuid();
        var changed = TestHttp.ValidProduct("Renamed product");
        await (await admin.PutAsJsonAsync($"/v1/products/{id}", changed)).AssertStatusAsync(HttpStatusCode.OK);
        await (await admin.PostAsync($"/v1/products/{id}/retire", null)).AssertStatusAsync(HttpStatusCode.OK);
        await (await admin.PostAsync($"/v1/products/{id}/retire", null)).AssertStatusAsync(HttpStatusCode.OK);

        var records = await RecordsAsync(admin, "product", id);

        Assert.Equal(["product.created", "product.updated", "product.retired"], Actions(records));
        Assert.All(records, r => Assert.Equal("staff", r.GetProperty("actor").GetProperty("kind").GetString()));
        Assert.All(records, r => Assert.Equal(adminId, r.GetProperty("actor").GetProperty("id").GetString()));
        Assert.False(records[0].TryGetProperty("before", out _));
        Assert.Equal(1, records[0].GetProperty("after").GetProperty("version").GetInt32());
        Assert.Equal(1, records[1].GetProperty("before").GetProperty("version").GetInt32());
        Assert.Equal("Renamed product", records[1].GetProperty("after").GetProperty("name").GetString());
        Assert.Equal("active", records[2].GetProperty("before").GetProperty("status").GetString());
        Assert.Equal("retired", records[2].GetProperty("after").GetProperty("status").GetString());
        // Listed as soon as committed (above); once chained, each links to the chain entry before it.
        await api.Services.GetRequiredService<AuditChainer>().ChainAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        var chained = await RecordsAsync(admin, "product", id);
        var sequences = chained.Select(r => r.GetProperty("chainSequence").GetInt64()).ToList();
        Assert.Equal(sequences.Order(), sequences);
        Assert.All(chained, r => Assert.Matches("^[0-9a-f]{64}$", r.GetProperty("hash").GetString()));
        await using var db = await api.OpenDatabaseAsync();
        foreach (var r in chained)
        {
            var previous = await db.ExecuteScalarAsync<string>("SELECT hash FROM audit_chain WHERE sequence = @s", new { s = r.GetProperty("chainSequence").GetInt64() - 1 });
            Assert.Equal(previous ?? new string('0', 64), r.GetProperty("prevHash").GetString());
        }

        Assert.All(records, r => Assert.False(string.IsNullOrEmpty(r.GetProperty("requestId").GetString())));
    }

    [Fact]
    public async Task StaffAndChannelAdministrationAndApiKeysAreRecordedWithoutSecrets()
    {
        using var admin = await api.CreateAdminClientAsync();
        var username = "a" + Guid.NewGuid().ToString("N")[..10];
        var staff = await admin.PostAsJsonAsync("/v1/staff", new { username, displayName = "Audit Person", password = "staff-password-0001", roles = AuditorRole });
        await staff.AssertStatusAsync(HttpStatusCode.Created);
        var staffId = (await staff.ReadJsonAsync()).GetProperty("id").GetGuid();
        var (channelId, keyId, key) = await admin.CreateChannelWithKeyAsync();
        await (await admin.PostAsync($"/v1/channels/{channelId}/api-keys/{keyId}/revoke", null)).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await admin.PostAsync($"/v1/channels/{channelId}/api-keys/{keyId}/revoke", null)).AssertStatusAsync(HttpStatusCode.NoContent);

        var staffRecords = await RecordsAsync(admin, "staff", staffId);
        var channelRecords = await RecordsAsync(admin, "channel", channelId);

        var created = Assert.Single(staffRecords);
        Assert.Equal("staff.created", created.GetProperty("action").GetString());
        Assert.Equal(username, created.GetProperty("after").GetProperty("username").GetString());
        Assert.Equal(["auditor"], created.GetProperty("after").GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["channel.created", "channel.api_key_issued", "channel.api_key_revoked"], Actions(channelRecords));
        Assert.Equal(keyId, channelRecords[1].GetProperty("after").GetProperty("keyId").GetGuid());
        var everything = staffRecords.Concat(channelRecords).Select(r => r.GetRawText()).ToList();
        Assert.All(everything, text => Assert.DoesNotContain(key, text, StringComparison.Ordinal));
        Assert.All(everything, text => Assert.DoesNotContain("staff-password-0001", text, StringComparison.Ordinal));
        Assert.All(everything, text => Assert.DoesNotContain("AQAAAA", text, StringComparison.Ordinal)); // a PBKDF2 hash
    }

    [Theory]
    [InlineData("张三")]
    [InlineData("id\u0001")]
    public async Task AnEntityIdThatNoEntityCanHaveIsRefusedNamingTheField(string entityId)
    {
        using var admin = await api.CreateAdminClientAsync();

        var refused = await admin.GetAsync($"/v1/audit?entity=staff&entityId={Uri.EscapeDataString(entityId)}");

        Assert.Equal(["entityId"], (await refused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields());
    }

    [Fact]
    public async Task TheFirstAdminIsRecordedAsCreatedByTheServiceItself()
    {
        using var admin = await api.CreateAdminClientAsync();
        var adminId = (await (await admin.GetAsync("/v1/me")).ReadJsonAsync()).GetProperty("id").GetGuid();

        // The account's first record; its sign-ins follow.
        var record = Assert.Single(await RecordsAsync(admin, "staff", adminId), r => r.GetProperty("action").GetString() == "staff.created");

        Assert.Equal("system", record.GetProperty("actor").GetProperty("kind").GetString());
        Assert.Equal("bootstrap", record.GetProperty("actor").GetProperty("id").GetString());
    }

    [Fact]
    public async Task AnApplicationsWholeIntakeIsRecordedWithoutPersonalData()
    {
        var product = await IntakeFlow.CreateProductAsync(api);
        var (borrower, id) = await IntakeFlow.DraftAsync(api, product);
        await IntakeFlow.SubmitAsync(borrower, id);
        await IntakeFlow.DecidedAsync(borrower, id);
        var borrowerId = (await (await borrower.GetAsync("/v1/me")).ReadJsonAsync()).GetProperty("id").GetString();
        using var auditor = await api.CreateStaffWithRolesAsync("auditor");

        var records = await RecordsAsync(auditor, "application", id);

        Assert.Equal(
            ["application.created", "application.document_added", "application.document_added", "application.document_added",
             "application.consent_recorded", "application.submitted", "application.decided"],
            Actions(records));
        Assert.All(records[..^1], r => Assert.Equal(("borrower", borrowerId), (r.GetProperty("actor").GetProperty("kind").GetString(), r.GetProperty("actor").GetProperty("id").GetString())));
        var decided = records[^1];
        Assert.Equal(("system", "intake-pipeline"), (decided.GetProperty("actor").GetProperty("kind").GetString(), decided.GetProperty("actor").GetProperty("id").GetString()));
        Assert.Equal("approved", decided.GetProperty("after").GetProperty("status").GetString());
        Assert.Equal("accepted", records[1].GetProperty("after").GetProperty("status").GetString());
        foreach (var text in records.Select(r => r.GetRawText()))
        {
            Assert.DoesNotContain("张三", text, StringComparison.Ordinal);
            Assert.DoesNotContain("沙箱路", text, StringComparison.Ordinal);
            Assert.DoesNotContain("11010519491231002X", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task OnlyAuditorsAndAdminsReadTheTrail()
    {
        using var anonymous = api.CreateApiClient();
        using var borrower = await api.CreateBorrowerClientAsync();
        using var admin = await api.CreateAdminClientAsync();
        var (_, _, key) = await admin.CreateChannelWithKeyAsync();
        using var channel = api.CreateChannelClient(key);
        using var officer = await api.CreateStaffWithRolesAsync("risk_officer", "dept_head", "loan_officer", "collector");
        using var auditor = await api.CreateStaffWithRolesAsync("auditor");

        foreach (var path in new[] { "/v1/audit", "/v1/audit/verify" })
        {
            await (await anonymous.GetAsync(path)).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
            await (await borrower.GetAsync(path)).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
            await (await channel.GetAsync(path)).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
            await (await officer.GetAsync(path)).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
            await (await auditor.GetAsync(path)).AssertStatusAsync(HttpStatusCode.OK);
            await (await admin.GetAsync(path)).AssertStatusAsync(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task PagesFollowEachOtherNewestFirstWithoutRepeats()
    {
        using var admin = await api.CreateAdminClientAsync();
        var id = (await admin.CreateProductAsync()).GetProperty("id").GetGuid();
        for (var i = 0; i < 4; i++)
        {
            await (await admin.PutAsJsonAsync($"/v1/products/{id}", TestHttp.ValidProduct("Version " + i))).AssertStatusAsync(HttpStatusCode.OK);
        }

        var seen = new List<long>();
        string? cursor = null;
        do
        {
            var page = await (await admin.GetAsync($"/v1/audit?entity=product&entityId={id}&limit=2{(cursor is null ? "" : "&after=" + cursor)}")).ReadJsonAsync();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("sequence").GetInt64()));
            cursor = page.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
        }
        while (cursor is not null);

        Assert.Equal(5, seen.Count);
        Assert.Equal(seen.OrderDescending(), seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Theory]
    [InlineData("/v1/audit?entityId=abc", "entityId")]
    [InlineData("/v1/audit?entity=Product", "entity")]
    [InlineData("/v1/audit?limit=0", "limit")]
    [InlineData("/v1/audit?after=not-a-cursor", "after")]
    public async Task BadFiltersAreNamed(string path, string field)
    {
        using var admin = await api.CreateAdminClientAsync();

        var problem = await (await admin.GetAsync(path)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        Assert.Contains(field, problem.ErrorFields());
    }
}
