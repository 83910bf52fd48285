using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Integrations.Bank;

/// <summary>
/// Reads a payout callback the bank posted to <see cref="BankOptions.NotifyUrl"/>: the signature first, over the raw
/// body bytes, under the callback secrets in force (the previous one too while it is set, read anew on every call), then
/// the payout. The endpoint that receives callbacks hands over the body as read and the headers, and answers
/// <see cref="BankCallbackResult.StatusCode"/>. The bank may send one callback several times: its payout is the same
/// each time, so applying it must be idempotent.
/// </summary>
public sealed class BankCallbackVerifier(IOptionsMonitor<BankOptions> options, TimeProvider clock)
{
    public BankCallbackResult Verify(ReadOnlySpan<byte> body, BankSignatureHeaders headers)
    {
        if (BankSignatures.Check(options.CurrentValue, headers, body, clock.GetUtcNow()) is { } refused)
        {
            return BankCallbackResult.Refused(refused);
        }

        return BankPayoutWire.Read(body) is { } payout
            ? new BankCallbackResult { Payout = payout }
            : BankCallbackResult.Refused(BankRefusal.BodyMalformed);
    }
}

/// <summary>A callback taken (its payout) or refused (why).</summary>
public sealed record BankCallbackResult
{
    public PayoutResult? Payout { get; init; }

    public BankRefusal? Refusal { get; init; }

    public bool IsAccepted => Refusal is null;

    /// <summary>204 when taken; 401 for a signature that does not hold, 400 for a signed body we cannot read.</summary>
    public int StatusCode => Refusal switch
    {
        null => 204,
        BankRefusal.BodyMalformed => 400,
        _ => 401,
    };

    public static BankCallbackResult Refused(BankRefusal refusal) => new() { Refusal = refusal };
}
