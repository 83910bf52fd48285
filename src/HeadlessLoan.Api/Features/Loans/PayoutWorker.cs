using HeadlessLoan.Api.Integrations.Bank;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Jobs;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Features.Loans;

/// <summary>
/// Pays loans out: submits pending payouts to the bank and records its answer; queries payouts the bank has not
/// called back about in time. The payout number is our key at the bank, so a payout submitted again (a crash between
/// submit and record, a lease taken over) is paid once and answered as the first.
/// </summary>
public sealed partial class PayoutWorker(
    PayoutStore store, BankPayoutClient bank, IOptions<LoansOptions> options, TimeProvider clock, ILogger<PayoutWorker> logger) : PollingWorker(logger)
{
    private readonly Guid _owner = Guid.NewGuid();

    /// <summary>Real time, not the injected clock: polling is not business time.</summary>
    protected override Task PauseAsync(CancellationToken ct) => Task.Delay(TimeSpan.FromMilliseconds(options.Value.PayoutPollMilliseconds), ct);

    public override async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        var leased = await store.LeaseAsync(_owner, options.Value.PayoutBatchSize, now, now.AddSeconds(60), ct);
        await Task.WhenAll(leased.Select(p => WorkAsync(p, ct)));
        return leased.Count;
    }

    private async Task WorkAsync(LeasedPayout payout, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        var queryAt = now.AddSeconds(options.Value.PayoutQueryAfterSeconds);
        try
        {
            PayoutResult? answer;
            if (payout.State == PayoutStates.Pending)
            {
                answer = await bank.SubmitAsync(store.RequestFor(payout), ct);
                await store.MarkSubmittedAsync(payout.PayoutNo, now, queryAt, ct);
            }
            else
            {
                answer = await bank.QueryAsync(payout.PayoutNo, ct);
            }

            if (answer is null)
            {
                // The bank does not know a payout we marked processing: submitted again (same number, paid once).
                answer = await bank.SubmitAsync(store.RequestFor(payout), ct);
            }

            var applied = await store.ApplyAsync(answer, queryAt, ct);
            LogApplied(logger, payout.PayoutNo, applied);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is BankUnavailableException or BankRefusedException)
        {
            // The lease runs out and the payout is taken again; the bank keeps one payout per number meanwhile.
            LogBankFault(logger, payout.PayoutNo, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Payout {PayoutNo}: {Applied}")]
    private static partial void LogApplied(ILogger logger, string payoutNo, PayoutApplied applied);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payout {PayoutNo} is retried later: {Message}")]
    private static partial void LogBankFault(ILogger logger, string payoutNo, string message);
}
