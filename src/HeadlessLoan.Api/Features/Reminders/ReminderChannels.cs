using HeadlessLoan.Api.Integrations.Aliyun;
using HeadlessLoan.Api.Integrations.WeChat;
using HeadlessLoan.Domain.Reminders;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Features.Reminders;

/// <summary>How one attempt to send (or to find out about) a reminder ended.</summary>
public enum DispatchKind
{
    /// <summary>The provider took it; <see cref="Dispatch.ProviderRef"/> is its id where it gives one.</summary>
    Sent,

    /// <summary>It reached the borrower (a delivery receipt, an answered call).</summary>
    Delivered,

    /// <summary>The provider refused it, or it did not reach the borrower; the tier's next channel is tried.</summary>
    Failed,

    /// <summary>Not sent, for now (throttled, busy): tried again later.</summary>
    RetryLater,

    /// <summary>Whether it went out is not known (no answer after the request left): reconciled, never simply resent.</summary>
    Unknown,
}

public sealed record Dispatch(DispatchKind Kind, string? ProviderRef = null, string? Code = null);

/// <summary>Who a reminder goes to: the borrower's own openid and bound phone, nobody else's.</summary>
public sealed record Recipient(string? OpenId, string? Phone);

/// <summary>
/// The providers behind each channel: a WeChat subscribe message, an Aliyun SMS, an Aliyun voice notification. Sends
/// carry the reminder's id as the provider's OutId, by which an interrupted SMS is found again.
/// </summary>
public sealed class ReminderChannels(WeChatApiClient wechat, AliyunSmsClient sms, AliyunVoiceClient voice, IOptions<ReminderOptions> options)
{
    /// <summary>Provider codes that mean "not now" rather than "never".</summary>
    private static readonly HashSet<string> Throttled = [AliyunCodes.BusinessLimitControl, AliyunCodes.DayLimitControl, AliyunCodes.ThrottlingUser, "Throttling"];

    /// <summary>Why a channel cannot be tried for a recipient at all (then the next channel is); null when it can.</summary>
    public static string? Unreachable(ReminderChannel channel, Recipient to) => channel switch
    {
        ReminderChannel.WeChatSubscribe when string.IsNullOrEmpty(to.OpenId) => "no_openid",
        ReminderChannel.Sms or ReminderChannel.Voice when string.IsNullOrEmpty(to.Phone) => "no_phone",
        _ => null,
    };

    public async Task<Dispatch> SendAsync(ReminderChannel channel, Recipient to, RenderedReminder message, Guid outId, CancellationToken ct)
    {
        try
        {
            return channel switch
            {
                ReminderChannel.WeChatSubscribe => await SubscribeAsync(to.OpenId!, message, ct),
                ReminderChannel.Sms => Of(await sms.SendSmsAsync(new SmsSendRequest(to.Phone!, options.Value.SmsSignName, message.ProviderTemplate, message.Fields, outId.ToString("N")), ct)),
                ReminderChannel.Voice => Of(await voice.SingleCallByTtsAsync(new VoiceCallRequest(to.Phone!, message.ProviderTemplate, message.Fields, outId.ToString("N")), ct)),
                _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, null),
            };
        }
        catch (WeChatUnavailableException e) when (e.ErrorCode is not null)
        {
            return new Dispatch(DispatchKind.RetryLater, Code: "wechat:" + e.ErrorCode); // WeChat answered: nothing was sent
        }
        catch (AliyunUnavailableException e) when (e.Code is { } code && Throttled.Contains(code))
        {
            return new Dispatch(DispatchKind.RetryLater, Code: code); // throttled: nothing was sent (a 503 may have been, so it is reconciled)
        }
        catch (Exception e) when (e is WeChatUnavailableException or AliyunUnavailableException)
        {
            return new Dispatch(DispatchKind.Unknown, Code: "no_answer");
        }
    }

    /// <summary>
    /// An SMS whose send was interrupted, looked up by its OutId among the day's messages to the number: what became of
    /// it, or null when the provider never took it (then it is safe to send). Other channels cannot be looked up.
    /// </summary>
    public async Task<Dispatch?> FindSmsAsync(string phone, DateOnly day, Guid outId, CancellationToken ct)
    {
        var id = outId.ToString("N");
        var found = (await sms.QuerySendDetailsAsync(phone, day, null, ct)).FirstOrDefault(d => d.OutId == id);
        return found is null ? null : Receipt(found) ?? new Dispatch(DispatchKind.Sent, found.BizId);
    }

    /// <summary>The delivery receipt of a sent SMS or call; null while there is none yet.</summary>
    public async Task<Dispatch?> ReceiptAsync(ReminderChannel channel, string phone, string providerRef, DateOnly sentDay, CancellationToken ct)
    {
        if (channel == ReminderChannel.Sms)
        {
            var details = await sms.QuerySendDetailsAsync(phone, sentDay, providerRef, ct);
            return details.Select(Receipt).FirstOrDefault(r => r is not null);
        }

        var call = await voice.QueryCallDetailByCallIdAsync(providerRef, sentDay, ct);
        return call is not { Finished: true } ? null
            : call.Answered ? new Dispatch(DispatchKind.Delivered, providerRef, "answered")
            : new Dispatch(DispatchKind.Failed, providerRef, "voice:" + call.State);
    }

    private async Task<Dispatch> SubscribeAsync(string openId, RenderedReminder message, CancellationToken ct)
    {
        var answer = await wechat.ExecuteCgibinMessageSubscribeSendAsync(new CgibinMessageSubscribeSendRequest(
            openId, message.ProviderTemplate, message.Page, message.Fields, options.Value.MiniProgramState), ct);
        return answer.IsSuccessful()
            ? new Dispatch(DispatchKind.Sent)
            : new Dispatch(DispatchKind.Failed, Code: "wechat:" + answer.ErrorCode);
    }

    private static Dispatch Of(SmsSendResult result) =>
        result.Accepted ? new Dispatch(DispatchKind.Sent, result.BizId) : Refused(result.Code);

    private static Dispatch Of(VoiceCallResult result) =>
        result.Accepted ? new Dispatch(DispatchKind.Sent, result.CallId) : Refused(result.Code);

    private static Dispatch Refused(string code) =>
        new(Throttled.Contains(code) ? DispatchKind.RetryLater : DispatchKind.Failed, Code: code.Length > 60 ? code[..60] : code);

    private static Dispatch? Receipt(SmsSendDetail detail) => detail.Status switch
    {
        SmsSendStatus.Delivered => new Dispatch(DispatchKind.Delivered, detail.BizId, "delivered"),
        SmsSendStatus.Failed => new Dispatch(DispatchKind.Failed, detail.BizId, "sms:" + (detail.ErrorCode ?? "failed")),
        _ => null,
    };
}
