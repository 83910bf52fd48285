namespace HeadlessLoan.Domain.Overdue;

/// <summary>
/// The five risk classes of a loan (五级分类), from sound to lost; the order is the rules' and a later member is a
/// worse class. <see cref="ClassificationTable"/> says which a loan is in by its days past due.
/// </summary>
public enum RiskClass
{
    /// <summary>正常: nothing says principal or interest will not be paid in full and on time.</summary>
    Normal,

    /// <summary>关注 (special mention): something is overdue, or another sign may hurt repayment.</summary>
    SpecialMention,

    /// <summary>次级 (substandard): non-performing; the borrower cannot repay in full from their own means.</summary>
    Substandard,

    /// <summary>可疑 (doubtful): non-performing; a substantial part will not be repaid.</summary>
    Doubtful,

    /// <summary>损失 (loss): non-performing; all or nearly all is lost whatever is done.</summary>
    Loss,
}

/// <summary>The stored and answered names of <see cref="RiskClass"/>; they never change, whatever the members are called.</summary>
public static class RiskClassNames
{
    public const string Normal = "normal";
    public const string SpecialMention = "special_mention";
    public const string Substandard = "substandard";
    public const string Doubtful = "doubtful";
    public const string Loss = "loss";

    private static readonly (RiskClass Class, string Wire)[] Names =
    [
        (RiskClass.Normal, Normal), (RiskClass.SpecialMention, SpecialMention), (RiskClass.Substandard, Substandard),
        (RiskClass.Doubtful, Doubtful), (RiskClass.Loss, Loss),
    ];

    /// <summary>Every class name, from sound to lost (the values a class filter accepts).</summary>
    public static IReadOnlyList<string> All { get; } = Array.AsReadOnly(Names.Select(n => n.Wire).ToArray());

    public static string ToWire(this RiskClass riskClass) =>
        Names.FirstOrDefault(n => n.Class == riskClass).Wire ?? throw new ArgumentOutOfRangeException(nameof(riskClass), riskClass, "Unknown risk class.");

    public static bool TryParse(string? wire, out RiskClass riskClass)
    {
        foreach (var (c, w) in Names)
        {
            if (string.Equals(w, wire, StringComparison.Ordinal))
            {
                riskClass = c;
                return true;
            }
        }

        riskClass = default;
        return false;
    }

    /// <summary>A stored class; anything else in the column is a fault, not input.</summary>
    public static RiskClass Parse(string wire) =>
        TryParse(wire, out var riskClass) ? riskClass : throw new FormatException($"'{wire}' is not a risk class.");
}
