using System.Net;
using Dapper;
using HeadlessLoan.Api.Features.Intake;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MySqlConnector;

namespace HeadlessLoan.Api.Tests.Decisions;

/// <summary>
/// A fault while deciding one application is that application's failed attempt: counted, retried after a delay,
/// parked as <c>intake_failed</c> after <c>Pipeline:MaxAttempts</c> with no more bureau queries, retried by staff.
/// The fault is real: a trigger makes MariaDB refuse to store the bureau report of the application under test.
/// </summary>
public sealed class IntakeParkingTests(ManualPipelineFactory api) : IClassFixture<ManualPipelineFactory>
{
    private const int MaxAttempts = 5; // Pipeline:MaxAttempts by default
    private const int RetryDelaySeconds = 30; // Pipeline:RetryDelaySeconds by default

    private IntakePipeline NewWorker() => ActivatorUtilities.CreateInstance<IntakePipeline>(api.Services);

    private async Task<(HttpClient Client, Guid Id)> SubmittedAsync(Guid product)
    {
        var draft = await IntakeFlow.DraftAsync(api, product, applicant: Random.Shared.Next(0, 999_000));
        await IntakeFlow.SubmitAsync(draft.Client, draft.Id);
        return draft;
    }

    [Fact]
    public async Task AFaultyApplicationIsRetriedAfterADelayThenParkedWhileTheOthersAreDecided()
    {
        var product = await IntakeFlow.CreateProductAsync(api);
        var (borrower, faulty) = await SubmittedAsync(product);
        var (_, healthy) = await SubmittedAsync(product);
        await using var fault = await FailingReportStore.ForAsync(api, faulty);
        var worker = NewWorker();

        Assert.Equal(2, await worker.RunOnceAsync(CancellationToken.None));
        Assert.Equal("approved", await StatusAsync(healthy)); // the fault is the application's, not the batch's
        Assert.Equal((1, "MySqlException"), await AttemptsAsync(faulty));

        // Not leased again before its delay (the attempts so far × the delay) has passed.
        api.Clock.Advance(TimeSpan.FromSeconds(RetryDelaySeconds - 1));
        Assert.Equal(0, await worker.RunOnceAsync(CancellationToken.None));
        for (var attempt = 2; attempt <= MaxAttempts; attempt++)
        {
            api.Clock.Advance(TimeSpan.FromSeconds(RetryDelaySeconds * attempt));
            Assert.Equal(1, await worker.RunOnceAsync(CancellationToken.None));
        }

        var parked = await IntakeFlow.DecidedAsync(borrower, faulty);
        Assert.Equal("intake_failed", parked.GetProperty("status").GetString());
        Assert.Equal("credit_check", parked.GetProperty("currentStep").GetString());
        Assert.Equal((MaxAttempts, "MySqlException"), await AttemptsAsync(faulty));
        Assert.Equal(MaxAttempts, BureauCallsFor(await fault.ConsentIdAsync()));

        // Parked: never leased again, however long it waits, so the bureau is not asked again.
        api.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, await worker.RunOnceAsync(CancellationToken.None));
        Assert.Equal(MaxAttempts, BureauCallsFor(await fault.ConsentIdAsync()));
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM outbox_events WHERE entity_id = @id AND event_type = 'application.intake_failed'", faulty));
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM audit_records WHERE entity_id = @id AND action = 'application.intake_parked'", faulty));
    }

    [Fact]
    public async Task StaffRetryAParkedApplicationOnceAndTheCreditCheckDecidesIt()
    {
        var product = await IntakeFlow.CreateProductAsync(api);
        var (borrower, id) = await SubmittedAsync(product);
        await using var db = await api.OpenDatabaseAsync();
        await db.ExecuteAsync("UPDATE applications SET status = 'intake_failed', intake_attempts = 5, intake_last_error = 'TimeoutException' WHERE id = @id", new { id });
        using var admin = await api.CreateAdminClientAsync();
        var key = "retry-" + id;

        await (await RetryAsync(borrower, id, key + "-borrower")).AssertProblemAsync(HttpStatusCode.Forbidden);
        var retried = await RetryAsync(admin, id, key);
        var replayed = await RetryAsync(admin, id, key);

        await retried.AssertStatusAsync(HttpStatusCode.OK);
        var body = await retried.ReadJsonAsync();
        Assert.Equal("submitted", body.GetProperty("status").GetString());
        Assert.Equal(body.GetRawText(), (await replayed.ReadJsonAsync()).GetRawText());
        Assert.Equal("true", replayed.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal((0, "TimeoutException"), await AttemptsAsync(id)); // the last fault stays readable in the row and the audit trail
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM audit_records WHERE entity_id = @id AND action = 'application.intake_retried'", id));

        Assert.Equal(1, await NewWorker().RunOnceAsync(CancellationToken.None));
        Assert.Equal("approved", await StatusAsync(id));
        await (await RetryAsync(admin, id, key + "-again")).AssertProblemAsync(HttpStatusCode.Conflict, "application_not_intake_failed");
        await (await RetryAsync(admin, Guid.NewGuid(), key + "-unknown")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    private static Task<HttpResponseMessage> RetryAsync(HttpClient client, Guid id, string key) =>
        client.PostWithoutBodyAsync($"/v1/applications/{id}/intake-retry", key);

    private async Task<string?> StatusAsync(Guid id)
    {
        await using var db = await api.OpenDatabaseAsync();
        return await db.ExecuteScalarAsync<string>("SELECT status FROM applications WHERE id = @id", new { id });
    }

    private async Task<(int Attempts, string? Error)> AttemptsAsync(Guid id)
    {
        await using var db = await api.OpenDatabaseAsync();
        return await db.QuerySingleAsync<(int, string?)>("SELECT intake_attempts, intake_last_error FROM applications WHERE id = @id", new { id });
    }

    private async Task<int> CountAsync(string sql, Guid id)
    {
        await using var db = await api.OpenDatabaseAsync();
        return await db.ExecuteScalarAsync<int>(sql, new { id = id.ToString() });
    }

    private int BureauCallsFor(Guid consentId) =>
        api.Sandbox.Server.LogEntries.Count(e =>
            e.RequestMessage.Path == "/bureau/v1/reports" && (e.RequestMessage.Body ?? "").Contains(consentId.ToString(), StringComparison.Ordinal));

    /// <summary>A trigger that refuses every bureau report of one application, until disposed.</summary>
    private sealed class FailingReportStore(MySqlConnection db, Guid applicationId, string trigger) : IAsyncDisposable
    {
        public static async Task<FailingReportStore> ForAsync(ApiFactory api, Guid applicationId)
        {
            var db = await api.OpenDatabaseAsync();
            var trigger = "refuse_report_" + applicationId.ToString("N");
            await db.ExecuteAsync($"""
                CREATE TRIGGER {trigger} BEFORE INSERT ON bureau_reports FOR EACH ROW
                  IF NEW.application_id = '{applicationId}' THEN
                    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'bureau report refused for the test';
                  END IF
                """);
            return new FailingReportStore(db, applicationId, trigger);
        }

        public Task<Guid> ConsentIdAsync() =>
            db.ExecuteScalarAsync<Guid>("SELECT id FROM application_consents WHERE application_id = @applicationId", new { applicationId });

        public async ValueTask DisposeAsync()
        {
            await db.ExecuteAsync($"DROP TRIGGER IF EXISTS {trigger}");
            await db.DisposeAsync();
        }
    }
}
