using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using HeadlessLoan.Api.Platform.Http;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Integrations.Bank;

/// <summary>
/// The payout bank (代付) over HTTP: submit a payout, query it (docs/sandbox.md, Bank, for the wire format). Every request
/// is signed with <see cref="BankOptions.ApiSecret"/>; every answer must be signed by the bank, or it is not believed.
/// What only time fixes — no answer, 429, 5xx, an answer not believed — is <see cref="BankUnavailableException"/>, after
/// which the same payout_no is submitted again safely; the bank's refusal of the request is
/// <see cref="BankRefusedException"/>, and a payout_no already used for another payout <see cref="BankPayoutConflictException"/>.
/// </summary>
public sealed class BankPayoutClient(HttpClient http, IOptionsMonitor<BankOptions> options, TimeProvider clock)
{
    public const string PayoutsPath = "/bank/v1/payouts";

    /// <summary>
    /// Asks the bank to pay. The answer is the payout's state: often <see cref="PayoutState.Processing"/>, which a
    /// callback or <see cref="QueryAsync"/> later ends. The same payout_no again answers the first payout's state.
    /// </summary>
    public async Task<PayoutResult> SubmitAsync(PayoutRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.PayoutNo);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.Amount);
        var o = options.CurrentValue;
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            merchant_id = o.MerchantId,
            payout_no = request.PayoutNo,
            account_number = request.AccountNumber,
            account_name = request.AccountName,
            amount = request.Amount,
            remark = request.Remark,
            notify_url = o.NotifyUrl,
        });
        // Null is a query's answer to an unknown payout_no only; a submit is answered a payout or an exception.
        return (await SendAsync(o, HttpMethod.Post, PayoutsPath, body, request.PayoutNo, ct))!;
    }

    /// <summary>The payout as the bank has it, or null when the bank does not know the payout_no (it was never made).</summary>
    public Task<PayoutResult?> QueryAsync(string payoutNo, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(payoutNo);
        var o = options.CurrentValue;
        var pathAndQuery = $"{PayoutsPath}/{Uri.EscapeDataString(payoutNo)}?merchant_id={Uri.EscapeDataString(o.MerchantId)}";
        return SendAsync(o, HttpMethod.Get, pathAndQuery, null, payoutNo, ct);
    }

    private async Task<PayoutResult?> SendAsync(BankOptions o, HttpMethod method, string pathAndQuery, byte[]? body, string payoutNo, CancellationToken ct)
    {
        using var message = new HttpRequestMessage(method, pathAndQuery);
        BankSignatures.SignRequest(message.Headers, o, clock, method.Method, pathAndQuery, body);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
        {
            message.Content = new ByteArrayContent(body);
            message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        return await UpstreamHttp.SendAsync(http, message, (answer, token) => ReadAsync(answer, o, payoutNo, method == HttpMethod.Get, token),
            (what, e) => new BankUnavailableException($"The bank {what}.", e), ct);
    }

    private async Task<PayoutResult?> ReadAsync(HttpResponseMessage answer, BankOptions o, string payoutNo, bool isQuery, CancellationToken ct)
    {
        var bytes = await answer.Content.ReadAsByteArrayAsync(ct);
        var status = (int)answer.StatusCode;
        var statusText = status.ToString(CultureInfo.InvariantCulture);
        if (status is 429 or >= 500)
        {
            // A gateway in front of the bank may answer these unsigned; either way only time fixes them.
            throw new BankUnavailableException($"The bank answered HTTP {statusText} ({BankErrorWire.Read(bytes)?.Code}).");
        }

        if (BankSignatures.Check(o, BankSignatureHeaders.From(answer.Headers), bytes, clock.GetUtcNow()) is { } refused)
        {
            throw new BankUnavailableException($"The bank's answer (HTTP {statusText}) is not believed: {refused}.");
        }

        if (answer.IsSuccessStatusCode)
        {
            var payout = BankPayoutWire.Read(bytes)
                ?? throw new BankUnavailableException($"The bank's answer (HTTP {statusText}) is not a payout we understand.");
            return payout.PayoutNo == payoutNo
                ? payout
                : throw new BankUnavailableException($"The bank answered for payout {payout.PayoutNo}, not {payoutNo}.");
        }

        var error = BankErrorWire.Read(bytes);
        return (status, error?.Code) switch
        {
            (409, BankErrorCodes.PayoutNoConflict) => throw new BankPayoutConflictException(payoutNo, error?.Message),
            (404, BankErrorCodes.PayoutNotFound) when isQuery => null,
            _ => throw new BankRefusedException(status, error?.Code ?? "HTTP_" + statusText, error?.Message),
        };
    }
}
