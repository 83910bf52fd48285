namespace HeadlessLoan.Domain.Overdue;

/// <summary>One row of a <see cref="ClassificationTable"/>: a loan at least <see cref="MinDaysPastDue"/> days past due is at least in <see cref="Class"/>.</summary>
public readonly record struct ClassFloor(RiskClass Class, int MinDaysPastDue);

/// <summary>
/// Which risk class a loan's days past due put it in: one version of a configurable table of floors, one per class
/// (versioned like the credit line rules, so a classification names the table that made it).
/// <para>
/// <see cref="Default"/> follows the overdue-day thresholds of 《商业银行金融资产风险分类办法》 (中国银保监会、中国人民银行令
/// 2023年第1号, issued 2023-02-10, in force since 2023-07-01; the CBIRC's part is now the 国家金融监督管理总局's): an
/// asset whose principal, interest or income is overdue is at least 关注 (a technical overdue from operational causes
/// excepted), overdue more than 90 days at least 次级, more than 270 days at least 可疑, more than 360 days at least 损失.
/// The rules are minimums written for commercial banks; other signs the rules name (the borrower's finances, a
/// restructuring) and the technical-overdue exception are judged by people, through a <see cref="ClassOverride"/>.
/// </para>
/// </summary>
public sealed record ClassificationTable(int Version, IReadOnlyList<ClassFloor> Floors)
{
    /// <summary>Version 1: any day overdue → 关注, more than 90 → 次级, more than 270 → 可疑, more than 360 → 损失.</summary>
    public static ClassificationTable Default { get; } = new(1,
    [
        new(RiskClass.Normal, 0), new(RiskClass.SpecialMention, 1), new(RiskClass.Substandard, 91),
        new(RiskClass.Doubtful, 271), new(RiskClass.Loss, 361),
    ]);

    private static readonly RiskClass[] InOrder = Enum.GetValues<RiskClass>();

    /// <summary>Why the table is not usable, or null: every class once, in class order, normal at 0, floors strictly increasing.</summary>
    public string? Problem() =>
        Version < 1 ? "version must be at least 1"
        : Floors is null || !Floors.Select(f => f.Class).SequenceEqual(InOrder)
            ? $"floors must name each class once, in the order {string.Join(", ", RiskClassNames.All)}"
        : Floors[0].MinDaysPastDue != 0 ? "the normal class's floor must be 0 days"
        : Floors.Zip(Floors.Skip(1)).Any(pair => pair.Second.MinDaysPastDue <= pair.First.MinDaysPastDue)
            ? "floors must increase strictly from one class to the next"
        : null;

    /// <summary>The class of a loan <paramref name="daysPastDue"/> days past due: the worst class whose floor it has reached.</summary>
    public RiskClass Classify(int daysPastDue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(daysPastDue);
        if (Problem() is { } problem)
        {
            throw new InvalidOperationException($"Classification table {Version} is not usable: {problem}.");
        }

        return Floors.Last(f => f.MinDaysPastDue <= daysPastDue).Class;
    }

    /// <summary>The class a loan is in: a standing override's, whatever the table says, otherwise the table's.</summary>
    public static RiskClass Effective(RiskClass byTable, ClassOverride? standing)
    {
        if (standing?.Problem() is { } problem)
        {
            throw new ArgumentException($"The override cannot stand: {problem}.", nameof(standing));
        }

        return standing?.Class ?? byTable;
    }
}

/// <summary>
/// A class set by hand over the table's, asked for by one member of staff and approved by another (four eyes), with
/// the reason kept for the audit record. It wins while it stands; withdrawing it hands the loan back to the table.
/// </summary>
public sealed record ClassOverride(RiskClass Class, Guid RequestedBy, Guid ApprovedBy, string Reason)
{
    /// <summary>Why the override cannot stand, or null: a known class, a requester and a different approver, a reason.</summary>
    public string? Problem() =>
        !Enum.IsDefined(Class) ? "class must be one of the five risk classes"
        : RequestedBy == Guid.Empty || ApprovedBy == Guid.Empty ? "an override names who asked for it and who approved it"
        : RequestedBy == ApprovedBy ? "an override is approved by someone other than who asked for it"
        : string.IsNullOrWhiteSpace(Reason) ? "an override says why"
        : null;
}
