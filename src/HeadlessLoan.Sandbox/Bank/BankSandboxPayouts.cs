using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace HeadlessLoan.Sandbox.Bank;

/// <summary>How a payout ends, chosen by the last three digits of its amount in fen (docs/sandbox.md, Bank magic amounts).</summary>
internal enum PayoutBehaviour
{
    /// <summary>Succeeded at once, one callback right after.</summary>
    SucceededAtOnce,

    /// <summary>…001: failed at once (ACCOUNT_INVALID), no callback: the answer is the refusal.</summary>
    RefusedAtOnce,

    /// <summary>…002: processing, succeeded after the delay, one callback then.</summary>
    SucceededLater,

    /// <summary>…003: processing, failed after the delay (ACCOUNT_FROZEN), one callback then.</summary>
    FailedLater,

    /// <summary>…004: processing, succeeded after the delay, never a callback: only a query finds it.</summary>
    SucceededNeverCalledBack,

    /// <summary>…005: processing, succeeded after the delay, three copies of the callback then.</summary>
    SucceededCalledBackThrice,
}

/// <summary>A payout as the sandbox bank keeps it: fixed when it is accepted, its state a matter of time.</summary>
internal sealed class SandboxPayout
{
    public required string PayoutNo { get; init; }
    public required string AccountNumber { get; init; }
    public required string AccountName { get; init; }
    public required long Amount { get; init; }
    public required string NotifyUrl { get; init; }
    public required PayoutBehaviour Behaviour { get; init; }

    /// <summary>When it leaves PROCESSING: at acceptance for the payouts that end at once.</summary>
    public required DateTimeOffset CompletesAt { get; init; }
    public required string BankReference { get; init; }

    public bool Failed => Behaviour is PayoutBehaviour.RefusedAtOnce or PayoutBehaviour.FailedLater;

    public bool IsFinished(DateTimeOffset now) => now >= CompletesAt;

    /// <summary>The same payout under the same payout_no: the amount and the account.</summary>
    public bool IsSamePayout(long amount, string accountNumber, string accountName) =>
        Amount == amount && AccountNumber == accountNumber && AccountName == accountName;

    /// <summary>The payout object at <paramref name="now"/>, as answers and callbacks carry it.</summary>
    public string Json(DateTimeOffset now)
    {
        var finished = IsFinished(now);
        var (code, message) = Behaviour switch
        {
            PayoutBehaviour.RefusedAtOnce => ("ACCOUNT_INVALID", "收款账户无效(沙箱)"),
            PayoutBehaviour.FailedLater => ("ACCOUNT_FROZEN", "收款账户已冻结(沙箱)"),
            _ => ((string?)null, (string?)null),
        };
        return new JsonObject
        {
            ["payout_no"] = PayoutNo,
            ["state"] = !finished ? "PROCESSING" : Failed ? "FAILED" : "SUCCEEDED",
            ["bank_reference"] = finished && !Failed ? BankReference : null,
            ["failure_code"] = finished ? code : null,
            ["failure_message"] = finished ? message : null,
            ["completed_at"] = finished ? BankSandboxPayouts.Rfc3339(CompletesAt) : null,
        }.ToJsonString();
    }
}

/// <summary>The sandbox bank's payouts by payout_no, in memory, bounded so a sandbox left running cannot grow without limit.</summary>
internal sealed class BankSandboxPayouts
{
    private const int MaxPayouts = 10_000;
    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    private readonly ConcurrentDictionary<string, SandboxPayout> _payouts = new(StringComparer.Ordinal);

    public static PayoutBehaviour BehaviourFor(long amountFen) => (amountFen % 1000) switch
    {
        1 => PayoutBehaviour.RefusedAtOnce,
        2 => PayoutBehaviour.SucceededLater,
        3 => PayoutBehaviour.FailedLater,
        4 => PayoutBehaviour.SucceededNeverCalledBack,
        5 => PayoutBehaviour.SucceededCalledBackThrice,
        _ => PayoutBehaviour.SucceededAtOnce,
    };

    /// <summary>Whether the payout stays PROCESSING for the delay.</summary>
    public static bool TakesTime(PayoutBehaviour behaviour) =>
        behaviour is not (PayoutBehaviour.SucceededAtOnce or PayoutBehaviour.RefusedAtOnce);

    public SandboxPayout? Find(string payoutNo) => _payouts.GetValueOrDefault(payoutNo);

    /// <summary>The payout under its payout_no: the one already there (a resubmit), or this new one (<paramref name="added"/>).</summary>
    public SandboxPayout Add(SandboxPayout payout, out bool added)
    {
        if (_payouts.Count >= MaxPayouts)
        {
            _payouts.Clear();
        }

        var kept = _payouts.GetOrAdd(payout.PayoutNo, payout);
        added = ReferenceEquals(kept, payout);
        return kept;
    }

    public static string Rfc3339(DateTimeOffset at) =>
        at.ToOffset(ChinaOffset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>The bank's serial of a transfer: <c>BR</c> and 20 digits.</summary>
    public static string NewBankReference() =>
        "BR" + string.Concat(Enumerable.Range(0, 20).Select(_ => (char)('0' + RandomNumberGenerator.GetInt32(10))));
}
