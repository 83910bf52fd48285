namespace HeadlessLoan.Domain.Reminders;

/// <summary>The channels a reminder goes out on; a tier names them in the order they are tried.</summary>
public enum ReminderChannel
{
    /// <summary>A WeChat subscribe message (订阅消息) to the borrower's openid; needs a subscription the borrower granted.</summary>
    WeChatSubscribe,

    /// <summary>An SMS to the borrower's bound phone number.</summary>
    Sms,

    /// <summary>An automated voice call (语音通知) to the borrower's bound phone number.</summary>
    Voice,
}

/// <summary>The stored and answered names of <see cref="ReminderChannel"/>.</summary>
public static class ReminderChannelNames
{
    public const string WeChatSubscribe = "wechat_subscribe";
    public const string Sms = "sms";
    public const string Voice = "voice";

    public static string Of(ReminderChannel channel) => channel switch
    {
        ReminderChannel.WeChatSubscribe => WeChatSubscribe,
        ReminderChannel.Sms => Sms,
        ReminderChannel.Voice => Voice,
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, null),
    };

    public static ReminderChannel? Parse(string? name) => name switch
    {
        WeChatSubscribe => ReminderChannel.WeChatSubscribe,
        Sms => ReminderChannel.Sms,
        Voice => ReminderChannel.Voice,
        _ => null,
    };
}

/// <summary>
/// One step of the reminder ladder: on the day <see cref="OffsetDays"/> from a period's due date (negative before it,
/// positive after), a message from <see cref="TemplateKey"/> on the first of <see cref="Channels"/>; the next channel is
/// tried only when the one before could not reach the borrower (no subscription left, no phone).
/// </summary>
public sealed record ReminderTier(int OffsetDays, IReadOnlyList<ReminderChannel> Channels, string TemplateKey)
{
    /// <summary>The tier's stable name in records and answers: <c>d-3</c>, <c>d+1</c>.</summary>
    public string Code => OffsetDays < 0 ? $"d{OffsetDays}" : $"d+{OffsetDays}";

    /// <summary>Before the due date: the period is not overdue yet.</summary>
    public bool BeforeDue => OffsetDays < 0;
}

/// <summary>The days on which a tier may still go out: from its own day until the next tier's, at most <see cref="ReminderPolicy.LateDays"/>.</summary>
public readonly record struct TierWindow(ReminderTier Tier, int FromDay, int UntilDay)
{
    public bool Contains(int day) => day >= FromDay && day < UntilDay;
}

/// <summary>
/// A product's reminder ladder. A tier goes out on its day; when that day was missed (the service was down, the loan's
/// close came late) it still goes out on the days after, until the next tier's day or <see cref="LateDays"/> have
/// passed, whichever is first: a borrower never gets a stale "due tomorrow" after the due date has passed twice over,
/// and never two tiers on one day.
/// </summary>
public sealed record ReminderPolicy
{
    /// <summary>The most days a policy reaches from the due date, either side: a year.</summary>
    public const int MaxOffsetDays = 366;

    public const int MaxTiers = 20;

    public const int MaxTemplateKeyLength = 40;

    /// <summary>The day after the due date a loan still overdue gets a collection work order, unless a policy says otherwise: D+7.</summary>
    public const int DefaultWorkOrderOnDay = 7;

    public ReminderPolicy(IReadOnlyList<ReminderTier> tiers, int lateDays, int workOrderOnDay = DefaultWorkOrderOnDay)
    {
        ArgumentNullException.ThrowIfNull(tiers);
        if (Invalid(tiers, lateDays, workOrderOnDay) is { } problem)
        {
            throw new ArgumentException(problem, nameof(tiers));
        }

        Tiers = tiers.OrderBy(t => t.OffsetDays).ToArray();
        LateDays = lateDays;
        WorkOrderOnDay = workOrderOnDay;
    }

    /// <summary>The tiers by day, earliest first.</summary>
    public IReadOnlyList<ReminderTier> Tiers { get; }

    /// <summary>How many days, its own included, a tier may go out on.</summary>
    public int LateDays { get; }

    /// <summary>
    /// The tier of people: on this day after the oldest unpaid due date (and every day after, while none is open) a
    /// loan still overdue gets a collection work order; 0 when the product's loans get none automatically.
    /// </summary>
    public int WorkOrderOnDay { get; }

    /// <summary>The default ladder: D−3 and D−1 before the due date, D+1 by WeChat then SMS, D+3 by voice.</summary>
    public static ReminderPolicy Default { get; } = new(
    [
        new ReminderTier(-3, [ReminderChannel.WeChatSubscribe, ReminderChannel.Sms], "before_due"),
        new ReminderTier(-1, [ReminderChannel.WeChatSubscribe, ReminderChannel.Sms], "before_due"),
        new ReminderTier(1, [ReminderChannel.WeChatSubscribe, ReminderChannel.Sms], "overdue"),
        new ReminderTier(3, [ReminderChannel.Voice], "overdue_call"),
    ], lateDays: 2);

    /// <summary>Each tier with the days it may go out on.</summary>
    public IEnumerable<TierWindow> Windows()
    {
        for (var i = 0; i < Tiers.Count; i++)
        {
            var from = Tiers[i].OffsetDays;
            var until = from + LateDays;
            if (i + 1 < Tiers.Count)
            {
                until = Math.Min(until, Tiers[i + 1].OffsetDays);
            }

            // A before-due tier never runs into the due date's overdue tiers: it stops at the day after the due date.
            if (from < 0)
            {
                until = Math.Min(until, 1);
            }

            yield return new TierWindow(Tiers[i], from, until);
        }
    }

    /// <summary>The tier that may go out <paramref name="day"/> days from the due date, or null.</summary>
    public ReminderTier? TierOn(int day) => Windows().Where(w => w.Contains(day)).Select(w => (ReminderTier?)w.Tier).FirstOrDefault();

    /// <summary>Whether <paramref name="key"/> can name a template: 1 to <see cref="MaxTemplateKeyLength"/> lower-case letters, digits or '_'.</summary>
    public static bool IsTemplateKey(string? key) =>
        !string.IsNullOrEmpty(key) && key.Length <= MaxTemplateKeyLength && key.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');

    /// <summary>What is wrong with a ladder, in words for the one who configured it; null when it is sound.</summary>
    public static string? Invalid(IReadOnlyList<ReminderTier>? tiers, int lateDays, int workOrderOnDay = DefaultWorkOrderOnDay)
    {
        if (workOrderOnDay is < 0 or > MaxOffsetDays)
        {
            return $"workOrderOnDay must be 1 to {MaxOffsetDays} (the day after the due date a work order opens), or 0 for none";
        }

        if (tiers is null || tiers.Count == 0)
        {
            return "a policy needs at least one tier";
        }

        if (tiers.Count > MaxTiers)
        {
            return $"a policy has at most {MaxTiers} tiers";
        }

        if (lateDays is < 1 or > 30)
        {
            return "lateDays must be 1 to 30";
        }

        foreach (var tier in tiers)
        {
            if (tier.OffsetDays == 0 || Math.Abs(tier.OffsetDays) > MaxOffsetDays)
            {
                return $"a tier's day is -{MaxOffsetDays} to -1 (before the due date) or 1 to {MaxOffsetDays} (overdue), not {tier.OffsetDays}";
            }

            if (tier.Channels is null || tier.Channels.Count == 0 || tier.Channels.Distinct().Count() != tier.Channels.Count)
            {
                return $"tier {tier.Code} needs one or more channels, each once";
            }

            if (!IsTemplateKey(tier.TemplateKey))
            {
                return $"tier {tier.Code} needs a template key of 1 to {MaxTemplateKeyLength} lower-case letters, digits or '_'";
            }
        }

        return tiers.Select(t => t.OffsetDays).Distinct().Count() == tiers.Count ? null : "two tiers fall on the same day";
    }
}
