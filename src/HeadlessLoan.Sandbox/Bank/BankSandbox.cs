using System.Text.Json;
using System.Text.Json.Nodes;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace HeadlessLoan.Sandbox.Bank;

/// <summary>
/// The sandbox playing the payout bank (docs/sandbox.md, Bank): payouts submitted and queried, each request's signature
/// checked, each answer signed, callbacks sent to the payout's notify_url as its amount says. These answers need code
/// (signatures, state, time), so they are registered here, not as files.
/// </summary>
internal sealed class BankSandbox
{
    /// <summary>How many mappings <see cref="Register"/> adds.</summary>
    public const int MappingCount = 3;

    /// <summary>How soon after the answer the callback of a payout that ended at once goes out.</summary>
    private static readonly TimeSpan CallbackAfterAnswer = TimeSpan.FromMilliseconds(200);

    private readonly BankSandboxSigning _signing;
    private readonly BankSandboxCallbacks _callbacks;
    private readonly BankSandboxPayouts _payouts = new();
    private readonly TimeSpan _delay;
    private readonly TimeProvider _clock;

    private BankSandbox(BankSandboxSettings settings)
    {
        _signing = new BankSandboxSigning(settings, settings.Clock);
        _callbacks = new BankSandboxCallbacks(_signing, settings.Clock);
        _delay = settings.Delay;
        _clock = settings.Clock;
    }

    public static void Register(WireMockServer server, BankSandboxSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(settings.MerchantId);
        ArgumentException.ThrowIfNullOrEmpty(settings.ApiSecret);
        ArgumentException.ThrowIfNullOrEmpty(settings.CallbackSecret);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Delay, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(settings.Clock);
        var bank = new BankSandbox(settings);
        Map(server, "Bank: POST /bank/v1/payouts, a payout (its state by the amount's last three digits)", "POST", "/bank/v1/payouts",
            bank.Signed(bank.Submit));
        Map(server, "Bank: GET /bank/v1/payouts/{payout_no}, the payout's state", "GET", "/bank/v1/payouts/*", bank.Signed(bank.Query));
        Map(server, "Bank sandbox: POST /sandbox/bank/callbacks/resend, a finished payout's callback again", "POST",
            "/sandbox/bank/callbacks/resend", bank.ResendAsync);
    }

    private static void Map(WireMockServer server, string title, string method, string path, Func<IRequestMessage, Task<IResponseMessage>> answer) =>
        server.Given(Request.Create().WithPath(path).UsingMethod(method))
            .WithTitle(title)
            .AtPriority(50)
            .RespondWith(Response.Create().WithCallback(answer));

    /// <summary>Refuses a request whose signature does not hold (401 SIGN_ERROR, signed like any answer), else answers it.</summary>
    private Func<IRequestMessage, Task<IResponseMessage>> Signed(Func<IRequestMessage, IResponseMessage> answer) => request =>
        Task.FromResult(_signing.RequestRefusal(request) is { } refusal
            ? _signing.Answer(401, Error("SIGN_ERROR", "签名错误(沙箱): " + refusal))
            : answer(request));

    private IResponseMessage Submit(IRequestMessage request)
    {
        if (BodyObject(request) is not { } body)
        {
            return _signing.Answer(400, Error("PARAM_ERROR", "the body must be a JSON object"));
        }

        if (Invalid(body) is { } invalid)
        {
            return _signing.Answer(400, Error("PARAM_ERROR", invalid));
        }

        var amount = body.GetProperty("amount").GetInt64();
        var accountNumber = String(body, "account_number")!;
        var accountName = String(body, "account_name")!;
        var behaviour = BankSandboxPayouts.BehaviourFor(amount);
        var now = _clock.GetUtcNow();
        var payout = _payouts.Add(new SandboxPayout
        {
            PayoutNo = String(body, "payout_no")!,
            AccountNumber = accountNumber,
            AccountName = accountName,
            Amount = amount,
            NotifyUrl = String(body, "notify_url")!,
            Behaviour = behaviour,
            CompletesAt = BankSandboxPayouts.TakesTime(behaviour) ? now + _delay : now,
            BankReference = BankSandboxPayouts.NewBankReference(),
        }, out var added);
        if (!added)
        {
            // A resubmit: the first payout's state, or a refusal when it is not the same payout; never a second payment.
            return payout.IsSamePayout(amount, accountNumber, accountName)
                ? _signing.Answer(200, payout.Json(now))
                : _signing.Answer(409, Error("PAYOUT_NO_CONFLICT", "payout_no already names a payout of another amount or account"));
        }

        switch (behaviour)
        {
            case PayoutBehaviour.SucceededAtOnce:
                _callbacks.SendInBackground(payout, CallbackAfterAnswer, copies: 1);
                break;
            case PayoutBehaviour.SucceededLater or PayoutBehaviour.FailedLater:
                _callbacks.SendInBackground(payout, _delay, copies: 1);
                break;
            case PayoutBehaviour.SucceededCalledBackThrice:
                _callbacks.SendInBackground(payout, _delay, copies: 3);
                break;
        }

        return _signing.Answer(200, payout.Json(now));
    }

    private IResponseMessage Query(IRequestMessage request)
    {
        var merchant = request.Query is { } query && query.TryGetValue("merchant_id", out var values) ? values.FirstOrDefault() : null;
        if (merchant != _signing.MerchantId)
        {
            return _signing.Answer(400, Error("PARAM_ERROR", "merchant_id in the query must be the signing merchant's"));
        }

        var path = request.Path;
        var payoutNo = Uri.UnescapeDataString(path[(path.LastIndexOf('/') + 1)..]);
        return _payouts.Find(payoutNo) is { } payout
            ? _signing.Answer(200, payout.Json(_clock.GetUtcNow()))
            : _signing.Answer(404, Error("PAYOUT_NOT_FOUND", "no payout under this payout_no"));
    }

    /// <summary>Body <c>{"payout_no", "variant"}</c>: sends the finished payout's callback now; answers the receiver's status.</summary>
    private async Task<IResponseMessage> ResendAsync(IRequestMessage request)
    {
        var body = BodyObject(request);
        var variant = body is { } b && String(b, "variant") is { } name ? ParseVariant(name) : CallbackVariant.AsSent;
        if (body is null || String(body.Value, "payout_no") is not { } payoutNo || variant is null)
        {
            return Plain(400, new JsonObject { ["error"] = "body must be {\"payout_no\": …, \"variant\"?: as-sent|bad-signature|stale-timestamp|unsigned}" });
        }

        if (_payouts.Find(payoutNo) is not { } payout || !payout.IsFinished(_clock.GetUtcNow()))
        {
            return Plain(404, new JsonObject { ["error"] = "no finished payout with this payout_no" });
        }

        var status = await _callbacks.SendAsync(payout, variant.Value);
        return Plain(200, new JsonObject { ["notify_url"] = payout.NotifyUrl, ["status"] = status });
    }

    private string? Invalid(JsonElement body)
    {
        string[] required = ["merchant_id", "payout_no", "account_number", "account_name", "notify_url"];
        if (required.FirstOrDefault(name => string.IsNullOrEmpty(String(body, name))) is { } missing)
        {
            return $"{missing} is required (a non-empty string)";
        }

        if (String(body, "merchant_id") != _signing.MerchantId)
        {
            return "merchant_id must be the signing merchant's";
        }

        if (String(body, "payout_no") is not { Length: <= 32 } payoutNo || !payoutNo.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            return "payout_no must be 1 to 32 letters, digits, '_' or '-'";
        }

        if (String(body, "account_number") is not { Length: >= 8 and <= 32 } account || !account.All(char.IsAsciiDigit))
        {
            return "account_number must be 8 to 32 digits";
        }

        if (String(body, "account_name")!.Length > 64)
        {
            return "account_name must be at most 64 characters";
        }

        if (!body.TryGetProperty("amount", out var amount) || amount.ValueKind != JsonValueKind.Number || !amount.TryGetInt64(out var fen) || fen <= 0)
        {
            return "amount must be a positive whole number of fen";
        }

        if (!body.TryGetProperty("remark", out var remark) || remark.ValueKind != JsonValueKind.String || remark.GetString()!.Length > 100)
        {
            return "remark must be a string of at most 100 characters";
        }

        return Uri.TryCreate(String(body, "notify_url"), UriKind.Absolute, out var notify) && notify.Scheme is "http" or "https"
            ? null
            : "notify_url must be an absolute http(s) URL";
    }

    private static string Error(string code, string message) => new JsonObject { ["code"] = code, ["message"] = message }.ToJsonString();

    /// <summary>The request's JSON object, or null when the body is not one.</summary>
    private static JsonElement? BodyObject(IRequestMessage request)
    {
        try
        {
            using var document = JsonDocument.Parse(BankSandboxSigning.Body(request));
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? String(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static CallbackVariant? ParseVariant(string name) => name switch
    {
        "as-sent" => CallbackVariant.AsSent,
        "bad-signature" => CallbackVariant.BadSignature,
        "stale-timestamp" => CallbackVariant.StaleTimestamp,
        "unsigned" => CallbackVariant.Unsigned,
        _ => null,
    };

    private static ResponseMessage Plain(int status, JsonObject body) => new()
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
        BodyData = new BodyData { BodyAsString = body.ToJsonString(), DetectedBodyType = BodyType.String },
    };
}
