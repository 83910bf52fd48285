using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using HeadlessLoan.Sandbox.Outbox;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace HeadlessLoan.Sandbox.Aliyun;

/// <summary>How an SMS or a call to a number ends, chosen by the number's last four digits (docs/sandbox.md, SMS and voice).</summary>
internal enum AliyunBehaviour
{
    /// <summary>Accepted; delivered (SMS) or answered and heard (call) after the delay.</summary>
    Succeeds,

    /// <summary>SMS 9001, voice 9102: refused at once, isv.MOBILE_NUMBER_ILLEGAL.</summary>
    NumberRefused,

    /// <summary>SMS 9002: accepted, its receipt says failed after the delay.</summary>
    ReceiptFails,

    /// <summary>SMS 9003: refused at once, isv.BUSINESS_LIMIT_CONTROL.</summary>
    RateLimited,

    /// <summary>SMS 9004: accepted, no receipt ever (stays waiting).</summary>
    ReceiptNeverComes,

    /// <summary>SMS 9005, voice 9105: accepted and sent, but the answer is HTTP 503.</summary>
    AnswerLost,

    /// <summary>Voice 9101: the call rings out unanswered.</summary>
    NotAnswered,

    /// <summary>Voice 9103: the line is busy.</summary>
    Busy,
}

/// <summary>A message or call the sandbox accepted.</summary>
internal sealed record AliyunSent(
    string Id, string Number, string Template, string? OutId, string? Content, AliyunBehaviour Behaviour, DateTimeOffset At, DateTimeOffset EndsAt);

/// <summary>
/// The sandbox playing Aliyun's SMS (dysmsapi, at <c>/aliyun/dysms/</c>) and voice notifications (dyvmsapi, at
/// <c>/aliyun/dyvms/</c>), version 2017-05-25, GET or form POST: every request's signature checked, answers chosen by
/// the number's last four digits, what it accepts kept for QuerySendDetails, QueryCallDetailByCallId and the outbox.
/// </summary>
internal sealed class AliyunSandbox
{
    /// <summary>How many mappings <see cref="Register"/> adds.</summary>
    public const int MappingCount = 2;

    public const string Version = "2017-05-25";
    public const string VoiceNotificationProdId = "11000000300006";

    private const int MaxKept = 10_000;
    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    private readonly AliyunSandboxSigning _signing;
    private readonly SandboxOutbox _outbox;
    private readonly TimeSpan _delay;
    private readonly TimeProvider _clock;
    private readonly ConcurrentQueue<AliyunSent> _messages = new();
    private readonly ConcurrentDictionary<string, AliyunSent> _calls = new(StringComparer.Ordinal);

    private AliyunSandbox(AliyunSandboxSettings settings, SandboxOutbox outbox)
    {
        _signing = new AliyunSandboxSigning(settings);
        _outbox = outbox;
        _delay = settings.Delay;
        _clock = settings.Clock;
    }

    public static void Register(WireMockServer server, AliyunSandboxSettings settings, SandboxOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(settings.AccessKeyId);
        ArgumentException.ThrowIfNullOrEmpty(settings.AccessKeySecret);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Delay, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(settings.Clock);
        var aliyun = new AliyunSandbox(settings, outbox);
        Map(server, "Aliyun SMS (dysmsapi 2017-05-25): SendSms by the number's last four digits, QuerySendDetails", "/aliyun/dysms",
            new Dictionary<string, Func<AliyunRequest, ResponseMessage>> { ["SendSms"] = aliyun.SendSms, ["QuerySendDetails"] = aliyun.QuerySendDetails },
            aliyun);
        Map(server, "Aliyun voice (dyvmsapi 2017-05-25): SingleCallByTts by the number's last four digits, QueryCallDetailByCallId", "/aliyun/dyvms",
            new Dictionary<string, Func<AliyunRequest, ResponseMessage>>
            {
                ["SingleCallByTts"] = aliyun.SingleCallByTts, ["QueryCallDetailByCallId"] = aliyun.QueryCallDetailByCallId,
            },
            aliyun);
    }

    private static void Map(
        WireMockServer server, string title, string path, Dictionary<string, Func<AliyunRequest, ResponseMessage>> actions, AliyunSandbox aliyun) =>
        server.Given(Request.Create().WithPath(path, path + "/").UsingMethod("GET", "POST"))
            .WithTitle(title)
            .AtPriority(50)
            .RespondWith(Response.Create().WithCallback(request => aliyun.Answer(request, actions)));

    private ResponseMessage Answer(IRequestMessage request, Dictionary<string, Func<AliyunRequest, ResponseMessage>> actions)
    {
        var parameters = AliyunSandboxSigning.Read(request);
        if (_signing.Refusal(request.Method, parameters) is { } refused)
        {
            return Error(refused.Status, refused.Code, refused.Message);
        }

        if (parameters["Version"] != Version)
        {
            return Error(400, "InvalidVersion", $"Specified parameter Version is not valid (the sandbox speaks {Version}).");
        }

        return actions.TryGetValue(parameters["Action"] ?? "", out var action)
            ? action(parameters)
            : Error(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.");
    }

    private ResponseMessage SendSms(AliyunRequest r)
    {
        var number = r["PhoneNumbers"] ?? "";
        if (!IsMobileNumber(number))
        {
            return Error(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号(沙箱每次只发一个11位大陆手机号)");
        }

        if (string.IsNullOrEmpty(r["SignName"]))
        {
            return Error(200, "isv.SMS_SIGNATURE_ILLEGAL", "签名不合法(SignName 为空)");
        }

        if (string.IsNullOrEmpty(r["TemplateCode"]))
        {
            return Error(200, "isv.SMS_TEMPLATE_ILLEGAL", "模板不合法(TemplateCode 为空)");
        }

        if (Params(r["TemplateParam"]) is not { } templateParam)
        {
            return Error(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法,只接受字符串值");
        }

        var behaviour = SmsBehaviour(number);
        switch (behaviour)
        {
            case AliyunBehaviour.NumberRefused:
                return Error(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号(沙箱: 尾号9001)");
            case AliyunBehaviour.RateLimited:
                return Error(200, "isv.BUSINESS_LIMIT_CONTROL", "业务限流(沙箱: 尾号9003)");
        }

        var now = _clock.GetUtcNow();
        var sent = new AliyunSent(NewId(18) + "^0", number, r["TemplateCode"]!, NullIfEmpty(r["OutId"]),
            $"【{r["SignName"]}】{r["TemplateCode"]} {r["TemplateParam"]}", behaviour, now, now + _delay);
        Keep(_messages, sent);
        _outbox.Add(new OutboxEntry(SandboxOutbox.Sms, number, sent.Template, templateParam, sent.OutId, sent.Id, now,
            behaviour == AliyunBehaviour.AnswerLost));
        return behaviour == AliyunBehaviour.AnswerLost
            ? Lost()
            : Ok(new JsonObject { ["BizId"] = sent.Id });
    }

    private ResponseMessage QuerySendDetails(AliyunRequest r)
    {
        var number = r["PhoneNumber"] ?? "";
        if (!IsMobileNumber(number))
        {
            return Error(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号");
        }

        if (!DateOnly.TryParseExact(r["SendDate"], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return Error(400, "InvalidParameter", "SendDate must be yyyyMMdd.");
        }

        if (!int.TryParse(r["PageSize"], NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size is < 1 or > 50
            || !int.TryParse(r["CurrentPage"], NumberStyles.None, CultureInfo.InvariantCulture, out var page) || page < 1)
        {
            return Error(400, "InvalidParameter", "PageSize must be 1 to 50 and CurrentPage at least 1.");
        }

        var bizId = NullIfEmpty(r["BizId"]);
        var now = _clock.GetUtcNow();
        var found = _messages
            .Where(m => m.Number == number && DateOnly.FromDateTime(m.At.ToOffset(ChinaOffset).DateTime) == date && (bizId is null || m.Id == bizId))
            .OrderByDescending(m => m.At)
            .ToList();
        var rows = new JsonArray();
        foreach (var m in found.Skip((page - 1) * size).Take(size))
        {
            var received = m.Behaviour != AliyunBehaviour.ReceiptNeverComes && now >= m.EndsAt;
            var (status, errCode) = !received ? (1, "") : m.Behaviour == AliyunBehaviour.ReceiptFails ? (2, "MK:0001") : (3, "DELIVRD");
            rows.Add(new JsonObject
            {
                ["PhoneNum"] = m.Number,
                ["SendStatus"] = status,
                ["ErrCode"] = errCode,
                ["TemplateCode"] = m.Template,
                ["Content"] = m.Content,
                ["SendDate"] = ChinaTime(m.At),
                ["ReceiveDate"] = received ? ChinaTime(m.EndsAt) : "",
                ["OutId"] = m.OutId,
            });
        }

        return Ok(new JsonObject
        {
            ["TotalCount"] = found.Count.ToString(CultureInfo.InvariantCulture),
            ["SmsSendDetailDTOs"] = new JsonObject { ["SmsSendDetailDTO"] = rows },
        });
    }

    private ResponseMessage SingleCallByTts(AliyunRequest r)
    {
        var number = r["CalledNumber"] ?? "";
        if (string.IsNullOrEmpty(r["CalledShowNumber"]))
        {
            return Error(400, "MissingCalledShowNumber", "CalledShowNumber is mandatory for this action.");
        }

        if (string.IsNullOrEmpty(r["TtsCode"]))
        {
            return Error(400, "MissingTtsCode", "TtsCode is mandatory for this action.");
        }

        if (!IsMobileNumber(number) || VoiceBehaviour(number) == AliyunBehaviour.NumberRefused)
        {
            return Error(200, "isv.MOBILE_NUMBER_ILLEGAL", "号码格式非法(沙箱: 尾号9102或非11位大陆手机号)");
        }

        if (Params(r["TtsParam"]) is not { } ttsParam)
        {
            return Error(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法,只接受字符串值");
        }

        var behaviour = VoiceBehaviour(number);
        var now = _clock.GetUtcNow();
        var call = new AliyunSent(NewId(12) + "^" + NewId(11), number, r["TtsCode"]!, NullIfEmpty(r["OutId"]), r["CalledShowNumber"], behaviour, now, now + _delay);
        if (_calls.Count >= MaxKept)
        {
            _calls.Clear();
        }

        _calls[call.Id] = call;
        _outbox.Add(new OutboxEntry(SandboxOutbox.Voice, number, call.Template, ttsParam, call.OutId, call.Id, now, behaviour == AliyunBehaviour.AnswerLost));
        return behaviour == AliyunBehaviour.AnswerLost
            ? Lost()
            : Ok(new JsonObject { ["CallId"] = call.Id });
    }

    private ResponseMessage QueryCallDetailByCallId(AliyunRequest r)
    {
        if (string.IsNullOrEmpty(r["CallId"]) || r["ProdId"] != VoiceNotificationProdId || string.IsNullOrEmpty(r["QueryDate"]))
        {
            return Error(400, "InvalidParameter", $"CallId, ProdId ({VoiceNotificationProdId} for voice notifications) and QueryDate are mandatory.");
        }

        if (!_calls.TryGetValue(r["CallId"]!, out var call))
        {
            return Ok(new JsonObject { ["Data"] = null });
        }

        var ended = _clock.GetUtcNow() >= call.EndsAt;
        var (state, description, duration) = !ended
            ? ("", "呼叫中(沙箱)", 0)
            : call.Behaviour switch
            {
                AliyunBehaviour.NotAnswered => ("200003", "用户收到呼叫但未接听", 0),
                AliyunBehaviour.Busy => ("200002", "用户占线", 0),
                _ => ("200000", "用户听完语音", 15),
            };
        var data = new JsonObject
        {
            ["callId"] = call.Id,
            ["caller"] = call.Content,
            ["callee"] = call.Number,
            ["state"] = state,
            ["stateDesc"] = description,
            ["duration"] = duration,
            ["gmtCreate"] = ChinaTime(call.At),
            ["startDate"] = ChinaTime(call.At),
            ["endDate"] = ended ? ChinaTime(call.EndsAt) : null,
        };
        return Ok(new JsonObject { ["Data"] = data.ToJsonString() });
    }

    /// <summary>SMS behaviour by the last four digits: 9001 refused, 9002 receipt failed, 9003 limited, 9004 no receipt, 9005 answer lost.</summary>
    internal static AliyunBehaviour SmsBehaviour(string number) => number[^4..] switch
    {
        "9001" => AliyunBehaviour.NumberRefused,
        "9002" => AliyunBehaviour.ReceiptFails,
        "9003" => AliyunBehaviour.RateLimited,
        "9004" => AliyunBehaviour.ReceiptNeverComes,
        "9005" => AliyunBehaviour.AnswerLost,
        _ => AliyunBehaviour.Succeeds,
    };

    /// <summary>Voice behaviour by the last four digits: 9101 not answered, 9102 refused, 9103 busy, 9105 answer lost.</summary>
    internal static AliyunBehaviour VoiceBehaviour(string number) => number[^4..] switch
    {
        "9101" => AliyunBehaviour.NotAnswered,
        "9102" => AliyunBehaviour.NumberRefused,
        "9103" => AliyunBehaviour.Busy,
        "9105" => AliyunBehaviour.AnswerLost,
        _ => AliyunBehaviour.Succeeds,
    };

    private static bool IsMobileNumber(string number) => number.Length == 11 && number[0] == '1' && number.All(char.IsAsciiDigit);

    /// <summary>A template's parameters: a JSON object of strings (absent is none), or null when it is not one.</summary>
    private static Dictionary<string, string>? Params(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || document.RootElement.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String))
            {
                return null;
            }

            return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void Keep(ConcurrentQueue<AliyunSent> kept, AliyunSent sent)
    {
        if (kept.Count >= MaxKept)
        {
            kept.Clear();
        }

        kept.Enqueue(sent);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string ChinaTime(DateTimeOffset at) => at.ToOffset(ChinaOffset).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string NewId(int digits) => RandomNumberGenerator.GetString("0123456789", digits);

    private static string RequestId() => Guid.NewGuid().ToString("D").ToUpperInvariant();

    private static ResponseMessage Ok(JsonObject fields)
    {
        var body = new JsonObject { ["RequestId"] = RequestId(), ["Code"] = "OK", ["Message"] = "OK" };
        foreach (var (name, value) in fields.ToList())
        {
            fields.Remove(name);
            body[name] = value;
        }

        return SandboxResponses.Json(200, body);
    }

    /// <summary>The message or call went out; the answer saying so is lost to a gateway's 503.</summary>
    private static ResponseMessage Lost() =>
        Error(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.");

    private static ResponseMessage Error(int status, string code, string message) =>
        SandboxResponses.Json(status, new JsonObject { ["RequestId"] = RequestId(), ["Code"] = code, ["Message"] = message });
}
