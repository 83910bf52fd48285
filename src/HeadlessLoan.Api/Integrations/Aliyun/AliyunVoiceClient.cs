using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Integrations.Aliyun;

/// <summary>
/// Aliyun voice notifications (dyvmsapi 2017-05-25): SingleCallByTts places a text-to-speech call, QueryCallDetailByCallId
/// says how it ended. A call is never placed twice here: an unknown outcome is <see cref="AliyunUnavailableException"/>.
/// </summary>
public sealed class AliyunVoiceClient(HttpClient http, IOptionsMonitor<AliyunOptions> options, TimeProvider clock)
{
    public const string Version = "2017-05-25";

    /// <summary>QueryCallDetailByCallId's product id of voice notifications (语音通知).</summary>
    public const string VoiceNotificationProdId = "11000000300006";

    /// <summary>The carrier's "user heard the message" and "hung up before the end": both were answered.</summary>
    private static readonly string[] AnsweredStates = ["200000", "200001"];

    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    public async Task<VoiceCallResult> SingleCallByTtsAsync(VoiceCallRequest r, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentException.ThrowIfNullOrWhiteSpace(r.CalledNumber);
        ArgumentException.ThrowIfNullOrWhiteSpace(r.OutId);
        var o = options.CurrentValue;
        var (code, message, callId) = await new AliyunRpcTransport(http, o, clock).SendAsync(o.VoiceBaseUrl, Version, "SingleCallByTts", new Dictionary<string, string>
        {
            ["CalledShowNumber"] = o.VoiceCalledShowNumber,
            ["CalledNumber"] = r.CalledNumber,
            ["TtsCode"] = r.TtsCode,
            ["TtsParam"] = JsonSerializer.Serialize(r.TtsParam),
            ["OutId"] = r.OutId,
        }, "CallId", ct);
        return new VoiceCallResult(code, message, callId);
    }

    /// <summary>The call as Aliyun has it, or null when it has no detail for <paramref name="callId"/> (yet) on <paramref name="callDate"/>.</summary>
    public async Task<VoiceCallDetail?> QueryCallDetailByCallIdAsync(string callId, DateOnly callDate, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(callId);
        var o = options.CurrentValue;
        var day = new DateTimeOffset(callDate.ToDateTime(TimeOnly.MinValue), ChinaOffset);
        var answer = await new AliyunRpcTransport(http, o, clock).QueryAsync(o.VoiceBaseUrl, Version, "QueryCallDetailByCallId", new Dictionary<string, string>
        {
            ["CallId"] = callId,
            ["ProdId"] = VoiceNotificationProdId,
            ["QueryDate"] = day.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        }, ct);

        // Data is itself JSON, sent as a string.
        if (answer.String("Data") is not { Length: > 0 } data)
        {
            return null;
        }

        JsonElement detail;
        try
        {
            using var document = JsonDocument.Parse(data);
            detail = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new AliyunUnavailableException("Aliyun QueryCallDetailByCallId answered Data that is not JSON.", e);
        }

        if (detail.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var fields = new AliyunAnswer("", "", detail);
        var state = fields.String("state") ?? "";
        var duration = int.TryParse(fields.String("duration"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : 0;
        return new VoiceCallDetail(callId, state, fields.String("stateDesc"), duration, Finished: state.Length > 0, Answered: AnsweredStates.Contains(state));
    }
}
