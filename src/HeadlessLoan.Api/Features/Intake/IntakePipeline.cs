using System.Net;
using System.Text.Json;
using HeadlessLoan.Api.Features.CreditLines;
using HeadlessLoan.Api.Features.Loans;
using HeadlessLoan.Api.Integrations.Bureau;
using HeadlessLoan.Api.Integrations.IpRegion;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Jobs;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Privacy;
using HeadlessLoan.Domain.CreditLines;
using HeadlessLoan.Domain.Decisions;
using HeadlessLoan.Domain.Identity;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Features.Intake;

/// <summary>
/// The job that decides submitted applications: it leases them, gathers anti-fraud signals, queries the credit bureau
/// (or reuses a recent report), and records the decision with its event in one change.
/// </summary>
public sealed partial class IntakePipeline(
    DecisionStore store,
    CreditLines.CreditLines lines,
    BorrowerExposure exposure,
    CreditBureauClient bureau,
    PersonalDataProtector protector,
    IIpRegionLookup ipRegions,
    IOptions<DecisionOptions> decisions,
    IOptions<PipelineOptions> pipeline,
    IOptions<FraudOptions> fraud,
    IOptions<BureauOptions> bureauOptions,
    TimeProvider clock,
    ILogger<IntakePipeline> logger) : PollingWorker(logger)
{
    private const string BureauPurpose = "loan_application";
    private readonly Guid _owner = Guid.NewGuid();

    /// <summary>Real time, not the injected clock: polling is not business time.</summary>
    protected override Task PauseAsync(CancellationToken ct) => Task.Delay(TimeSpan.FromMilliseconds(pipeline.Value.PollMilliseconds), ct);

    /// <summary>Processes one batch; returns how many applications it claimed.</summary>
    public override async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        var claimed = await store.ClaimAsync(_owner, pipeline.Value.BatchSize, now, now.AddSeconds(pipeline.Value.LeaseSeconds), ct);
        await Task.WhenAll(claimed.Select(app => AttemptAsync(app, ct)));
        return claimed.Count;
    }

    /// <summary>
    /// Decides one application; a fault while deciding it is that application's failed attempt (counted, the lease
    /// released with a delay, parked after <see cref="PipelineOptions.MaxAttempts"/>), never the batch's. With the
    /// database unreachable nothing can be recorded: the lease runs out and the attempt is not counted against it.
    /// </summary>
    private async Task AttemptAsync(ClaimedApplication app, CancellationToken ct)
    {
        try
        {
            await DecideAsync(app, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && !DatabaseFaults.IsUnavailable(e))
        {
            var options = pipeline.Value;
            var now = DbTime.Now(clock);
            var retryAt = now.AddSeconds((double)options.RetryDelaySeconds * (app.IntakeAttempts + 1));
            var failure = await store.RecordFailureAsync(app, _owner, e.GetType().Name, options.MaxAttempts, now, retryAt, ct);
            LogAttemptFailed(logger, app.Id, failure?.Attempts ?? app.IntakeAttempts + 1, options.MaxAttempts, failure?.Parked ?? false, e);
        }
    }

    private async Task DecideAsync(ClaimedApplication app, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        var today = ChinaTime.Today(clock);
        var (onDevice, sameId, sameCard) = await store.CountSignalsAsync(app, now.AddDays(-fraud.Value.WindowDays), ct);
        var signals = new FraudSignals(
            app.DeviceFingerprint is null ? 1 : Math.Max(1, onDevice),
            IpRegionDiffers(app),
            app.IdNumberHash is null ? 1 : Math.Max(1, sameId),
            app.CardNumberHash is null ? 1 : Math.Max(1, sameCard));
        var report = await BureauReportAsync(app, now, ct);
        var age = app.IdBirthDate is { } birth ? ResidentIdNumber.AgeOn(DateOnly.FromDateTime(birth), today) : -1;
        var applicant = new ApplicantFacts(app.Amount, age, app.AgeMin, app.AgeMax, app.AutoApprovalLimit, await CreditLineStandingAsync(app, ct));
        var decision = DecisionEngine.Decide(applicant, report, signals, decisions.Value.ToPolicy());

        if (await store.RecordDecisionAsync(app.Id, _owner, decision, report?.Score, DbTime.Now(clock), ct))
        {
            LogDecided(logger, app.Id, decision.Outcome, string.Join(",", decision.Reasons.Select(r => r.Code)));
        }
    }

    /// <summary>A returning borrower's free line and overdue state; null for a channel's customer or a borrower without a line.</summary>
    private async Task<CreditLineStanding?> CreditLineStandingAsync(ClaimedApplication app, CancellationToken ct)
    {
        if (app.BorrowerId is not { } borrowerId || await lines.LineAsync(borrowerId, ct) is not { } line)
        {
            return null;
        }

        var (owed, anyOverdue) = await exposure.StandingAsync(borrowerId, ct);
        return new CreditLineStanding(CreditLinePolicy.Available(line, owed), anyOverdue);
    }

    private bool IpRegionDiffers(ClaimedApplication app) =>
        IPAddress.TryParse(app.RequestIp, out var ip)
        && ipRegions.ProvinceCodeOf(ip) is { } province
        && app.DeclaredRegionCode.Length >= 2
        && !app.DeclaredRegionCode.StartsWith(province, StringComparison.Ordinal);

    /// <summary>A recent report for the same ID number, or a fresh one; null when there is no consent or no answer.</summary>
    private async Task<BureauReport?> BureauReportAsync(ClaimedApplication app, DateTime now, CancellationToken ct)
    {
        if (app.IdNumberEnc is null || app.IdNumberHash is null || await store.ConsentIdAsync(app.Id, ct) is not { } consentId)
        {
            return null; // no query without the borrower's recorded consent
        }

        if (await store.RecentReportAsync(app.IdNumberHash, now.AddDays(-bureauOptions.Value.ReuseDays), ct) is { } cached)
        {
            return JsonSerializer.Deserialize<BureauReportDocument>(protector.Decrypt(cached, PersonalDataPurpose.BureauReport))!.ToReport();
        }

        var nameEnc = app.IdNameEnc ?? app.DeclaredNameEnc;
        var query = new BureauQuery(
            protector.Decrypt(app.IdNumberEnc, PersonalDataPurpose.IdNumber),
            nameEnc is null ? "" : protector.Decrypt(nameEnc, PersonalDataPurpose.Name),
            BureauPurpose,
            consentId.ToString());
        var document = await bureau.QueryAsync(query, ct);
        if (document is null)
        {
            return null;
        }

        var encrypted = protector.Encrypt(JsonSerializer.Serialize(document), PersonalDataPurpose.BureauReport);
        await store.SaveReportAsync(app.IdNumberHash, app.Id, consentId, encrypted, document.Score, now, ct);
        return document.ToReport();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Deciding application {ApplicationId} failed (attempt {Attempt} of {MaxAttempts}; parked: {Parked})")]
    private static partial void LogAttemptFailed(ILogger logger, Guid applicationId, int attempt, int maxAttempts, bool parked, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Application {ApplicationId} decided {Outcome} ({Reasons})")]
    private static partial void LogDecided(ILogger logger, Guid applicationId, DecisionOutcome outcome, string reasons);
}
