using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.Applications;

public sealed class ApplicationAccessTests(ApplicationsApiFactory api) : IClassFixture<ApplicationsApiFactory>
{
    /// <summary>Every application endpoint, called by someone who does not own the application.</summary>
    private static readonly IReadOnlyList<(string Name, Func<HttpClient, Guid, Task<HttpResponseMessage>> Call)> Endpoints =
    [
        ("GET application", (c, id) => c.GetAsync($"/v1/applications/{id}")),
        ("POST documents", (c, id) => c.UploadAsync(id, "id_front", Intake.Sample("id-front-valid"))),
        ("POST consents", (c, id) => c.ConsentAsync(id)),
        ("POST submit", (c, id) => c.PostAsync($"/v1/applications/{id}/submit", null)),
    ];

    [Fact]
    public async Task AnotherBorrowerAndAnotherChannelGetNotFoundOnEveryEndpointAndNeverTheData()
    {
        var productId = await api.CreateProductIdAsync();
        using var admin = await api.CreateAdminClientAsync();
        using var owner = await api.CreateBorrowerClientAsync();
        var (_, _, ownerChannelKey) = await admin.CreateChannelWithKeyAsync();
        using var ownerChannel = api.CreateChannelClient(ownerChannelKey);
        var borrowersApplication = (await owner.CreateApplicationAsync(productId)).GetProperty("id").GetGuid();
        var channelsApplication = (await ownerChannel.CreateApplicationAsync(productId, "cust-0001")).GetProperty("id").GetGuid();
        await owner.UploadSampleAsync(borrowersApplication, "id_front", "id-front-valid");

        using var otherBorrower = await api.CreateBorrowerClientAsync();
        var (_, _, otherKey) = await admin.CreateChannelWithKeyAsync();
        using var otherChannel = api.CreateChannelClient(otherKey);
        var strangers = new[] { ("another borrower", otherBorrower), ("another channel", otherChannel) };

        foreach (var applicationId in new[] { borrowersApplication, channelsApplication })
        {
            foreach (var (who, client) in strangers.Append(("the other owner", applicationId == borrowersApplication ? ownerChannel : owner)))
            {
                foreach (var (name, call) in Endpoints)
                {
                    var response = await call(client, applicationId);
                    var text = await response.Content.ReadAsStringAsync();
                    Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{who} on {name}: {(int)response.StatusCode} {text}");
                    await response.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
                    Assert.DoesNotContain(applicationId.ToString(), text, StringComparison.Ordinal);
                    Assert.DoesNotContain("1101", text, StringComparison.Ordinal);
                }

                var list = await (await client.GetAsync("/v1/applications?limit=100")).ReadJsonAsync();
                Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetGuid() == applicationId);
            }
        }

        // Nothing was changed by the attempts.
        var read = await (await owner.GetAsync($"/v1/applications/{borrowersApplication}")).ReadJsonAsync();
        Assert.Single(read.GetProperty("documents").EnumerateArray());
        Assert.False(read.GetProperty("consentGiven").GetBoolean());
        Assert.Equal("draft", read.GetProperty("status").GetString());
    }

    [Fact]
    public async Task StaffReadAndListEveryApplicationButCannotApply()
    {
        var productId = await api.CreateProductIdAsync();
        using var borrower = await api.CreateBorrowerClientAsync();
        var id = (await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid();
        using var officer = await api.CreateStaffWithRolesAsync("risk_officer");

        var read = await officer.GetAsync($"/v1/applications/{id}");
        var list = await (await officer.GetAsync($"/v1/applications?productId={productId}")).ReadJsonAsync();
        var apply = await officer.PostAsJsonAsync("/v1/applications", Intake.ValidApplication(productId));
        var consent = await officer.ConsentAsync(id);
        var missing = await officer.GetAsync($"/v1/applications/{Guid.NewGuid()}");

        await read.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("张*", (await read.ReadJsonAsync()).GetProperty("applicant").GetProperty("name").GetString());
        Assert.Equal(id, Assert.Single(list.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
        await apply.AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await consent.AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await missing.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task AChannelAppliesForItsCustomerAndMustNameThem()
    {
        var productId = await api.CreateProductIdAsync();
        using var admin = await api.CreateAdminClientAsync();
        var (channelId, _, key) = await admin.CreateChannelWithKeyAsync();
        using var channel = api.CreateChannelClient(key);

        var without = await channel.PostAsJsonAsync("/v1/applications", Intake.ValidApplication(productId));
        var created = await channel.CreateApplicationAsync(productId, "cust-42");
        var id = created.GetProperty("id").GetGuid();
        var consent = await (await channel.ConsentAsync(id)).ReadJsonAsync();

        var problem = await without.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal(["customerRef"], problem.ErrorFields());
        Assert.Equal(channelId, created.GetProperty("channelId").GetGuid());
        Assert.Equal("cust-42", created.GetProperty("customerRef").GetString());
        Assert.False(created.TryGetProperty("borrowerId", out _));
        Assert.Equal("channel", consent.GetProperty("grantedByKind").GetString());
        Assert.Equal(channelId, consent.GetProperty("grantedById").GetGuid());
        await channel.CompleteAsync(id);
        await (await channel.PostAsync($"/v1/applications/{id}/submit", null)).AssertStatusAsync(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task ABorrowerMayNotSendACustomerReferenceAndEveryBadFieldIsNamed()
    {
        var productId = await api.CreateProductIdAsync();
        using var borrower = await api.CreateBorrowerClientAsync();
        var withRef = Intake.ValidApplication(productId);
        withRef["customerRef"] = "someone";
        using var badHeader = new HttpRequestMessage(HttpMethod.Post, "/v1/applications") { Content = JsonContent.Create(Intake.ValidApplication(productId)) };
        badHeader.Headers.Add("X-Device-Fingerprint", new string('f', 129));

        var refused = await borrower.PostAsJsonAsync("/v1/applications", withRef);
        var empty = await borrower.PostAsJsonAsync("/v1/applications", new { declaredRegionCode = "0101", purpose = new string('x', 201) });
        var header = await borrower.SendAsync(badHeader);

        Assert.Equal(["customerRef"], (await refused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields());
        Assert.Equal(
            ["amount", "declaredAddress", "declaredName", "declaredRegionCode", "method", "productId", "purpose", "termMonths"],
            (await empty.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields().Order(StringComparer.Ordinal));
        Assert.Equal(["X-Device-Fingerprint"], (await header.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields());
    }

    [Fact]
    public async Task TheApplicationMustFitTheProduct()
    {
        var productId = await api.CreateProductIdAsync();
        using var admin = await api.CreateAdminClientAsync();
        using var borrower = await api.CreateBorrowerClientAsync();
        var outside = Intake.ValidApplication(productId);
        outside["amount"] = 5_000_001L;
        outside["termMonths"] = 48;
        outside["method"] = "bullet";
        var unknown = Intake.ValidApplication(Guid.NewGuid());
        var retiredId = await api.CreateProductIdAsync();
        await (await admin.PostAsync($"/v1/products/{retiredId}/retire", null)).AssertStatusAsync(HttpStatusCode.OK);

        var terms = await (await borrower.PostAsJsonAsync("/v1/applications", outside)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "outside_product_terms");
        var missing = await (await borrower.PostAsJsonAsync("/v1/applications", unknown)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "outside_product_terms");
        var retired = await (await borrower.PostAsJsonAsync("/v1/applications", Intake.ValidApplication(retiredId))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "outside_product_terms");

        Assert.Equal(["amount", "method", "termMonths"], terms.ErrorFields().Order(StringComparer.Ordinal));
        Assert.Equal(["productId"], missing.ErrorFields());
        Assert.Equal(["productId"], retired.ErrorFields());
    }

    [Fact]
    public async Task PagesFollowTheCursorAndShowEachApplicationOnce()
    {
        var productId = await api.CreateProductIdAsync();
        using var borrower = await api.CreateBorrowerClientAsync();
        var created = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            created.Add((await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid());
            if (i % 2 == 0)
            {
                api.Clock.Advance(TimeSpan.FromSeconds(1)); // some share a creation time, some do not
            }
        }

        var seen = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await (await borrower.GetAsync($"/v1/applications?limit=2{(cursor is null ? "" : "&after=" + Uri.EscapeDataString(cursor))}")).ReadJsonAsync();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
            cursor = page.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(created.Count, seen.Distinct().Count());
        Assert.Equal(created.Order(), seen.Order());
        // Newest first: creation times are t0 (0), t1 (1, 2), t2 (3, 4); the id breaks ties.
        Assert.Equal(created.Skip(3).Order(), seen.Take(2).Order());
        Assert.Equal(created.Skip(1).Take(2).Order(), seen.Skip(2).Take(2).Order());
        Assert.Equal(created[0], seen[4]);
    }

    [Fact]
    public async Task StaffFilterByStatusAndSubmissionTime()
    {
        var productId = await api.CreateProductIdAsync();
        using var borrower = await api.CreateBorrowerClientAsync();
        using var officer = await api.CreateStaffWithRolesAsync("risk_officer");
        var draft = (await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid();
        var submitted = (await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid();
        await borrower.CompleteAsync(submitted);
        await (await borrower.PostAsync($"/v1/applications/{submitted}/submit", null)).AssertStatusAsync(HttpStatusCode.Accepted);
        var now = Uri.EscapeDataString(api.Clock.GetUtcNow().ToString("O"));
        var later = Uri.EscapeDataString(api.Clock.GetUtcNow().AddMinutes(1).ToString("O"));

        var drafts = await Ids(officer, $"/v1/applications?productId={productId}&status=draft");
        var submittedNow = await Ids(officer, $"/v1/applications?productId={productId}&submittedFrom={now}&submittedTo={later}");
        var submittedLater = await Ids(officer, $"/v1/applications?productId={productId}&submittedFrom={later}");

        Assert.Equal([draft], drafts);
        Assert.Equal([submitted], submittedNow);
        Assert.Empty(submittedLater);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("status=lost", "status")]
    [InlineData("after=not-a-cursor", "after")]
    [InlineData("submittedFrom=2026-03-02T00:00:00Z&submittedTo=2026-03-01T00:00:00Z", "submittedFrom")]
    [InlineData("submittedFrom=1999-12-31T23:59:59Z", "submittedFrom")]
    [InlineData("submittedFrom=0001-01-01T00:00:00Z", "submittedFrom")]
    [InlineData("submittedTo=2101-01-01T00:00:01Z", "submittedTo")]
    [InlineData("submittedTo=9999-12-31T23:59:59.9999999Z", "submittedTo")]
    public async Task BadListParametersAreNamed(string query, string field)
    {
        using var borrower = await api.CreateBorrowerClientAsync();

        var response = await borrower.GetAsync("/v1/applications?" + query);

        Assert.Equal([field], (await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields());
    }

    [Fact]
    public async Task BothEndsOfTheFilterWindowAreAccepted()
    {
        using var borrower = await api.CreateBorrowerClientAsync();

        var response = await borrower.GetAsync("/v1/applications?submittedFrom=2000-01-01T00:00:00Z&submittedTo=2101-01-01T00:00:00Z");

        await response.AssertStatusAsync(HttpStatusCode.OK);
    }

    private static async Task<List<Guid>> Ids(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        await response.AssertStatusAsync(HttpStatusCode.OK);
        return (await response.ReadJsonAsync()).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToList();
    }
}
