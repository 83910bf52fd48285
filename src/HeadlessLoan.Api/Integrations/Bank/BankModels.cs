using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using HeadlessLoan.Api.Platform.Http;
using HeadlessLoan.Domain.Privacy;

namespace HeadlessLoan.Api.Integrations.Bank;

/// <summary>
/// One payout to a borrower's account. <paramref name="PayoutNo"/> is our idempotency key at the bank: submitted again,
/// it never pays twice. <paramref name="Amount"/> is in fen.
/// </summary>
public sealed record PayoutRequest(string PayoutNo, string AccountNumber, string AccountName, long Amount, string Remark)
{
    // The account number and the holder's name are personal data, never to be logged whole: a printed request masks them.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("PayoutNo = ").Append(PayoutNo)
            .Append(", AccountNumber = ").Append(Mask.CardNumber(AccountNumber))
            .Append(", AccountName = ").Append(Mask.Name(AccountName))
            .Append(", Amount = ").Append(Amount.ToString(CultureInfo.InvariantCulture))
            .Append(", Remark = ").Append(Remark);
        return true;
    }
}

/// <summary>Where a payout stands at the bank. Processing is not done: a callback or a query tells how it ends.</summary>
public enum PayoutState
{
    Processing,
    Succeeded,
    Failed,
}

/// <summary>
/// The bank's word on a payout: <paramref name="BankReference"/> (the transfer's serial) once it succeeded,
/// <paramref name="FailureCode"/> and <paramref name="FailureMessage"/> once it failed, <paramref name="CompletedAt"/>
/// when it ended either way.
/// </summary>
public sealed record PayoutResult(
    string PayoutNo, PayoutState State, string? BankReference, string? FailureCode, string? FailureMessage, DateTimeOffset? CompletedAt);

/// <summary>The bank's codes our callers act on.</summary>
public static class BankErrorCodes
{
    /// <summary>Our request's signature does not hold (401).</summary>
    public const string SignError = "SIGN_ERROR";

    /// <summary>A field is missing or wrong (400).</summary>
    public const string ParamError = "PARAM_ERROR";

    /// <summary>The payout_no names another payout: another amount or account (409).</summary>
    public const string PayoutNoConflict = "PAYOUT_NO_CONFLICT";

    /// <summary>No payout under this payout_no (404 of a query).</summary>
    public const string PayoutNotFound = "PAYOUT_NOT_FOUND";

    /// <summary>Failure code of a payout to an account that does not exist or cannot take payouts.</summary>
    public const string AccountInvalid = "ACCOUNT_INVALID";

    /// <summary>Failure code of a payout to a frozen account.</summary>
    public const string AccountFrozen = "ACCOUNT_FROZEN";
}

/// <summary>
/// The bank could not be reached, did not answer in time, answered 429 or 5xx after the retries, or sent an answer that
/// is not signed by it or not understood. Whether the payout was made is unknown: submit the same payout_no again, or
/// query it; the bank pays one payout_no once.
/// </summary>
public sealed class BankUnavailableException(string message, Exception? inner = null) : UpstreamUnavailableException(message, inner);

/// <summary>
/// The bank refused the request itself (a 4xx, signed by the bank): nothing was paid under it, and sending it again as
/// it is changes nothing. <see cref="Code"/> is the bank's code (<see cref="BankErrorCodes"/>).
/// </summary>
public class BankRefusedException(int statusCode, string code, string? bankMessage)
    : Exception($"The bank refused the request: HTTP {statusCode.ToString(CultureInfo.InvariantCulture)} {code}" +
                (string.IsNullOrEmpty(bankMessage) ? "." : $" ({bankMessage})."))
{
    public int StatusCode { get; } = statusCode;

    public string Code { get; } = code;

    public string? BankMessage { get; } = bankMessage;
}

/// <summary>
/// The payout_no is already the bank's for another payout (another amount or account): 409 PAYOUT_NO_CONFLICT. The
/// first payout under the number stands; this one was not made.
/// </summary>
public sealed class BankPayoutConflictException(string payoutNo, string? bankMessage)
    : BankRefusedException(409, BankErrorCodes.PayoutNoConflict, bankMessage)
{
    public string PayoutNo { get; } = payoutNo;
}

/// <summary>The payout object as the bank sends it, in its answers and its callbacks.</summary>
internal sealed record BankPayoutWire
{
    private static readonly JsonSerializerOptions Json = new();

    [JsonPropertyName("payout_no")] public string? PayoutNo { get; init; }
    [JsonPropertyName("state")] public string? State { get; init; }
    [JsonPropertyName("bank_reference")] public string? BankReference { get; init; }
    [JsonPropertyName("failure_code")] public string? FailureCode { get; init; }
    [JsonPropertyName("failure_message")] public string? FailureMessage { get; init; }
    [JsonPropertyName("completed_at")] public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>The payout in <paramref name="body"/>, or null when it is not one (not JSON, no payout_no, a state we do not know).</summary>
    public static PayoutResult? Read(ReadOnlySpan<byte> body)
    {
        BankPayoutWire? wire;
        try
        {
            wire = JsonSerializer.Deserialize<BankPayoutWire>(body, Json);
        }
        catch (JsonException)
        {
            return null;
        }

        PayoutState? state = wire?.State switch
        {
            "PROCESSING" => PayoutState.Processing,
            "SUCCEEDED" => PayoutState.Succeeded,
            "FAILED" => PayoutState.Failed,
            _ => null,
        };
        return wire is { PayoutNo: { Length: > 0 } payoutNo } && state is { } known
            ? new PayoutResult(payoutNo, known, wire.BankReference, wire.FailureCode, wire.FailureMessage, wire.CompletedAt)
            : null;
    }
}

/// <summary>The bank's error body, <c>{"code", "message"}</c>.</summary>
internal sealed record BankErrorWire(
    [property: JsonPropertyName("code")] string? Code,
    [property: JsonPropertyName("message")] string? Message)
{
    public static BankErrorWire? Read(ReadOnlySpan<byte> body)
    {
        try
        {
            return body.IsEmpty ? null : JsonSerializer.Deserialize<BankErrorWire>(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
