using System.Diagnostics;
using Dapper;
using HeadlessLoan.Api.Features.Intake;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessLoan.Api.Tests.Decisions;

/// <summary>The sandbox has few sample identities, so repeated ID numbers are allowed here; a class below tests that rule.</summary>
public sealed class PipelineFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Decisions:MaxApplicationsPerIdentity"] = "1000",
        ["Bureau:TimeoutSeconds"] = "3",
    };
}

public sealed class IntakePipelineTests(PipelineFactory api) : IClassFixture<PipelineFactory>
{
    private async Task<System.Text.Json.JsonElement> ApplyAsync(string idFront = "id-front-valid", long amount = 1_000_000, long autoApprovalLimit = 2_000_000)
    {
        var product = await IntakeFlow.CreateProductAsync(api, autoApprovalLimit);
        var (client, id) = await IntakeFlow.DraftAsync(api, product, idFront, amount);
        await IntakeFlow.SubmitAsync(client, id);
        return await IntakeFlow.DecidedAsync(client, id);
    }

    [Fact]
    public async Task GoodApplicantWithinTheAutoLimitIsApprovedWithTheRuleVersionRecordedAndOneEvent()
    {
        var application = await ApplyAsync();

        Assert.Equal("approved", application.GetProperty("status").GetString());
        Assert.Equal(["auto_approved"], application.ReasonCodes());
        var id = application.GetProperty("id").GetGuid();
        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal("intake-2026.1", await db.ExecuteScalarAsync<string>("SELECT decision_policy_version FROM applications WHERE id = @id", new { id }));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox_events WHERE entity_id = @id AND event_type = 'application.approved'", new { id = id.ToString() }));
    }

    [Theory]
    [InlineData("id-front-blacklisted", "bureau_blacklisted")]
    [InlineData("id-front-low-score", "bureau_score_too_low")]
    public async Task BureauHardRulesReject(string sample, string reason)
    {
        var application = await ApplyAsync(sample);

        Assert.Equal("rejected", application.GetProperty("status").GetString());
        Assert.Contains(reason, application.ReasonCodes());
    }

    [Fact]
    public async Task OverdueRecordsAndManyInquiriesGoToPeople()
    {
        var application = await ApplyAsync("id-front-overdue");

        Assert.Equal("pending_approval", application.GetProperty("status").GetString());
        Assert.Equal(["bureau_overdue_records", "bureau_many_inquiries"], application.ReasonCodes());
    }

    [Fact]
    public async Task AmountAboveTheProductsAutoLimitGoesToPeople()
    {
        var application = await ApplyAsync(amount: 1_500_000, autoApprovalLimit: 1_000_000);

        Assert.Equal("pending_approval", application.GetProperty("status").GetString());
        Assert.Equal(["amount_above_auto_limit"], application.ReasonCodes());
    }

    [Fact]
    public async Task ASlowBureauDoesNotHoldTheDecisionPastTenSeconds()
    {
        var product = await IntakeFlow.CreateProductAsync(api);
        var (client, id) = await IntakeFlow.DraftAsync(api, product, "id-front-bureau-timeout");
        var clock = Stopwatch.StartNew();

        await IntakeFlow.SubmitAsync(client, id);
        var application = await IntakeFlow.DecidedAsync(client, id, TimeSpan.FromSeconds(10));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Equal("pending_approval", application.GetProperty("status").GetString());
        Assert.Equal(["bureau_unavailable"], application.ReasonCodes());
    }

    [Fact]
    public async Task ABureauReportIsReusedForTheSameIdNumberWithinTheWindow()
    {
        var before = BureauCallsFor("110101198707190113");

        await ApplyAsync("id-front-overdue");
        await ApplyAsync("id-front-overdue");

        Assert.True(BureauCallsFor("110101198707190113") - before <= 1);
    }

    [Fact]
    public async Task ThreeApplicantsOnOneDeviceIsAFraudHit()
    {
        var product = await IntakeFlow.CreateProductAsync(api);
        var device = "device-" + Guid.NewGuid().ToString("N");
        var drafts = new List<(HttpClient Client, Guid Id)>();
        for (var i = 0; i < 3; i++)
        {
            drafts.Add(await IntakeFlow.DraftAsync(api, product, fingerprint: device));
        }

        foreach (var (client, id) in drafts)
        {
            await IntakeFlow.SubmitAsync(client, id);
        }

        var third = await IntakeFlow.DecidedAsync(drafts[2].Client, drafts[2].Id);
        Assert.Equal("rejected", third.GetProperty("status").GetString());
        Assert.Contains("fraud_shared_device", third.ReasonCodes());
    }

    [Fact]
    public async Task AnAddressInAnotherProvinceThanDeclaredGoesToPeople()
    {
        var product = await IntakeFlow.CreateProductAsync(api);
        var (client, id) = await IntakeFlow.DraftAsync(api, product, region: "310101");
        await using (var db = await api.OpenDatabaseAsync())
        {
            // The test host has no client address; the sample IP file places 202.106.16.0/22 in Beijing (11).
            await db.ExecuteAsync("UPDATE applications SET request_ip = '202.106.16.9' WHERE id = @id", new { id });
        }

        await IntakeFlow.SubmitAsync(client, id);
        var application = await IntakeFlow.DecidedAsync(client, id);

        Assert.Equal("pending_approval", application.GetProperty("status").GetString());
        Assert.Equal(["ip_region_mismatch"], application.ReasonCodes());
    }

    private int BureauCallsFor(string idNumber) =>
        api.Sandbox.Server.LogEntries.Count(e => e.RequestMessage.Path == "/bureau/v1/reports" && (e.RequestMessage.Body ?? "").Contains(idNumber, StringComparison.Ordinal));
}

/// <summary>The worker off, so tests drive it by hand: two instances at once, and a crashed claim.</summary>
public sealed class ManualPipelineFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Pipeline:Enabled"] = "false",
        ["Decisions:MaxApplicationsPerIdentity"] = "1000",
    };
}

public sealed class PipelineConcurrencyTests(ManualPipelineFactory api) : IClassFixture<ManualPipelineFactory>
{
    private IntakePipeline NewWorker() => ActivatorUtilities.CreateInstance<IntakePipeline>(api.Services);

    private async Task<List<Guid>> SubmittedAsync(int count)
    {
        var product = await IntakeFlow.CreateProductAsync(api);
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var (client, id) = await IntakeFlow.DraftAsync(api, product);
            await IntakeFlow.SubmitAsync(client, id);
            ids.Add(id);
        }

        return ids;
    }

    [Fact]
    public async Task TwoWorkersAtOnceDecideEveryApplicationExactlyOnce()
    {
        var ids = await SubmittedAsync(8);
        var first = NewWorker();
        var second = NewWorker();

        for (var round = 0; round < 10; round++)
        {
            await Task.WhenAll(first.RunOnceAsync(CancellationToken.None), second.RunOnceAsync(CancellationToken.None));
        }

        await using var db = await api.OpenDatabaseAsync();
        var decided = await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM applications WHERE id IN @ids AND decided_at IS NOT NULL", new { ids });
        var events = (await db.QueryAsync<int>("""
            SELECT COUNT(*) FROM outbox_events WHERE entity_id IN @ids AND event_type LIKE 'application.%' AND event_type <> 'application.submitted'
             GROUP BY entity_id
            """, new { ids = ids.Select(i => i.ToString()).ToList() })).ToList();
        Assert.Equal(ids.Count, decided);
        Assert.Equal(ids.Count, events.Count);
        Assert.All(events, count => Assert.Equal(1, count));
    }

    [Fact]
    public async Task AClaimAbandonedByACrashedWorkerIsTakenOverAfterItsLease()
    {
        var ids = await SubmittedAsync(1);
        var store = api.Services.GetRequiredService<DecisionStore>();
        var now = HeadlessLoan.Api.Platform.Database.DbTime.Now(api.Clock);
        // A worker claims the application and dies before deciding.
        Assert.Single(await store.ClaimAsync(Guid.NewGuid(), 10, now, now.AddSeconds(60), CancellationToken.None));
        var survivor = NewWorker();

        Assert.Equal(0, await survivor.RunOnceAsync(CancellationToken.None));
        api.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(1, await survivor.RunOnceAsync(CancellationToken.None));

        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal("approved", await db.ExecuteScalarAsync<string>("SELECT status FROM applications WHERE id = @id", new { id = ids[0] }));
    }
}

/// <summary>The repeated-identity rule at its default threshold, and the sandbox's way past it for integrators.</summary>
public sealed class RepeatedIdentityTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task MoreThanThreeApplicationsWithOneIdNumberIsAFraudHit()
    {
        var product = await IntakeFlow.CreateProductAsync(api);
        var drafts = new List<(HttpClient Client, Guid Id)>();
        for (var i = 0; i < 4; i++)
        {
            drafts.Add(await IntakeFlow.DraftAsync(api, product, "id-front-low-score"));
        }

        foreach (var (client, id) in drafts)
        {
            await IntakeFlow.SubmitAsync(client, id);
        }

        var fourth = await IntakeFlow.DecidedAsync(drafts[3].Client, drafts[3].Id);
        Assert.Equal("rejected", fourth.GetProperty("status").GetString());
        Assert.Contains("fraud_repeated_identity", fourth.ReasonCodes());
    }

    [Fact]
    public async Task TheSandboxsNumberedApplicantsRepeatTheHappyPathMoreOftenThanTheRuleAllowsOneIdentity()
    {
        var product = await IntakeFlow.CreateProductAsync(api);
        var first = Random.Shared.Next(0, 999_000);
        var decided = new List<System.Text.Json.JsonElement>();
        for (var run = 0; run < 6; run++) // twice the three applications the rule allows one ID number or card
        {
            var (client, id) = await IntakeFlow.DraftAsync(api, product, applicant: first + run);
            await IntakeFlow.SubmitAsync(client, id);
            decided.Add(await IntakeFlow.DecidedAsync(client, id));
        }

        Assert.All(decided, application =>
        {
            Assert.Equal("approved", application.GetProperty("status").GetString());
            Assert.Equal(["auto_approved"], application.ReasonCodes());
        });
        await using var db = await api.OpenDatabaseAsync();
        var ids = decided.Select(a => a.GetProperty("id").GetGuid()).ToList();
        var (identities, cards) = await db.QuerySingleAsync<(long, long)>(
            "SELECT COUNT(DISTINCT id_number_hash), COUNT(DISTINCT card_number_hash) FROM applications WHERE id IN @ids", new { ids });
        Assert.Equal((6L, 6L), (identities, cards));
    }
}
