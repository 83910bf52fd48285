using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Integrations.Aliyun;

/// <summary>
/// Aliyun SMS (dysmsapi 2017-05-25): SendSms and QuerySendDetails. A send is never repeated here: a refusal is the
/// result's Code (<see cref="AliyunCodes"/>); what leaves the outcome unknown is <see cref="AliyunUnavailableException"/>,
/// after which the caller looks the message up by phone number and date and matches its OutId.
/// </summary>
public sealed class AliyunSmsClient(HttpClient http, IOptionsMonitor<AliyunOptions> options, TimeProvider clock)
{
    public const string Version = "2017-05-25";

    /// <summary>The most rows QuerySendDetails gives per page.</summary>
    private const int PageSize = 50;

    /// <summary>A day's messages to one number, read page by page: enough for any real day, bounded for a broken answer.</summary>
    private const int MaxPages = 20;

    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    public async Task<SmsSendResult> SendSmsAsync(SmsSendRequest r, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentException.ThrowIfNullOrWhiteSpace(r.PhoneNumber);
        ArgumentException.ThrowIfNullOrWhiteSpace(r.OutId);
        var o = options.CurrentValue;
        var (code, message, bizId) = await new AliyunRpcTransport(http, o, clock).SendAsync(o.SmsBaseUrl, Version, "SendSms", new Dictionary<string, string>
        {
            ["PhoneNumbers"] = r.PhoneNumber,
            ["SignName"] = r.SignName,
            ["TemplateCode"] = r.TemplateCode,
            ["TemplateParam"] = JsonSerializer.Serialize(r.TemplateParam),
            ["OutId"] = r.OutId,
        }, "BizId", ct);
        return new SmsSendResult(code, message, bizId);
    }

    /// <summary>
    /// The messages sent to <paramref name="phoneNumber"/> on <paramref name="sendDate"/> (Beijing date), only the one of
    /// <paramref name="bizId"/> when given. Retried when Aliyun cannot answer; a refusal is <see cref="AliyunRefusedException"/>.
    /// </summary>
    public async Task<IReadOnlyList<SmsSendDetail>> QuerySendDetailsAsync(string phoneNumber, DateOnly sendDate, string? bizId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(phoneNumber);
        var o = options.CurrentValue;
        var transport = new AliyunRpcTransport(http, o, clock);
        var details = new List<SmsSendDetail>();
        for (var page = 1; page <= MaxPages; page++)
        {
            var parameters = new Dictionary<string, string>
            {
                ["PhoneNumber"] = phoneNumber,
                ["SendDate"] = sendDate.ToString("yyyyMMdd", CultureInfo.InvariantCulture),
                ["PageSize"] = PageSize.ToString(CultureInfo.InvariantCulture),
                ["CurrentPage"] = page.ToString(CultureInfo.InvariantCulture),
            };
            if (!string.IsNullOrEmpty(bizId))
            {
                parameters["BizId"] = bizId;
            }

            var answer = await transport.QueryAsync(o.SmsBaseUrl, Version, "QuerySendDetails", parameters, ct);
            var rows = Rows(answer.Body);
            details.AddRange(rows.Select(row => Detail(row, bizId)));
            var total = int.TryParse(answer.String("TotalCount"), NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : details.Count;
            if (rows.Count < PageSize || details.Count >= total)
            {
                break;
            }
        }

        return details;
    }

    private static List<JsonElement> Rows(JsonElement body) =>
        body.TryGetProperty("SmsSendDetailDTOs", out var dtos) && dtos.ValueKind == JsonValueKind.Object
        && dtos.TryGetProperty("SmsSendDetailDTO", out var list) && list.ValueKind == JsonValueKind.Array
            ? [.. list.EnumerateArray()]
            : [];

    private static SmsSendDetail Detail(JsonElement row, string? bizId)
    {
        var answer = new AliyunAnswer("", "", row);
        var status = int.TryParse(answer.String("SendStatus"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) && Enum.IsDefined((SmsSendStatus)s)
            ? (SmsSendStatus)s
            : SmsSendStatus.Waiting;
        return new SmsSendDetail(
            answer.String("PhoneNum") ?? "",
            status,
            NullIfEmpty(answer.String("ErrCode")),
            NullIfEmpty(answer.String("OutId")),
            NullIfEmpty(answer.String("BizId")) ?? bizId,
            ChinaTime(answer.String("ReceiveDate")));
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary><c>yyyy-MM-dd HH:mm:ss</c> in Beijing time, as Aliyun writes its dates.</summary>
    internal static DateTimeOffset? ChinaTime(string? value) =>
        DateTime.TryParseExact(value, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? new DateTimeOffset(at, ChinaOffset)
            : null;
}
