namespace HeadlessLoan.Domain.Approvals;

/// <summary>One step of an approval: people holding <see cref="Role"/>, <see cref="Approvers"/> of them, each a different person.</summary>
public sealed record ApprovalStep(string Role, int Approvers);

/// <summary>
/// One line of an approval policy: when every condition that is set holds, the application goes through
/// <see cref="Steps"/> in order. Amounts are fen; "from" bounds are inclusive, "below" bounds exclusive.
/// </summary>
public sealed record ApprovalRule(
    Guid? ProductId,
    long? AmountFrom,
    long? AmountBelow,
    int? ScoreFrom,
    int? ScoreBelow,
    IReadOnlyList<ApprovalStep> Steps)
{
    public bool IsCatchAll => ProductId is null && AmountFrom is null && AmountBelow is null && ScoreFrom is null && ScoreBelow is null;

    public bool Matches(ApprovalSubject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var score = subject.Score ?? ApprovalRouting.MissingScore;
        return (ProductId is null || ProductId == subject.ProductId)
            && (AmountFrom is null || subject.Amount >= AmountFrom)
            && (AmountBelow is null || subject.Amount < AmountBelow)
            && (ScoreFrom is null || score >= ScoreFrom)
            && (ScoreBelow is null || score < ScoreBelow);
    }
}

/// <summary>What routing looks at: the product, the amount in fen and the bureau score (none when the bureau did not answer).</summary>
public sealed record ApprovalSubject(Guid ProductId, long Amount, int? Score);

/// <summary>A rule found invalid: where (<c>rules[2].steps[0].role</c>) and why.</summary>
public sealed record ApprovalRuleError(string Field, string Message);

/// <summary>Routes applications through an ordered rule list: the first rule that matches decides the steps.</summary>
public static class ApprovalRouting
{
    /// <summary>50,000 CNY in fen.</summary>
    public const long FiftyThousandYuan = 5_000_000;

    /// <summary>100,000 CNY in fen.</summary>
    public const long HundredThousandYuan = 10_000_000;

    /// <summary>Without a bureau score an application counts as the lowest score: it gets the most scrutiny.</summary>
    public const int MissingScore = 0;

    public const int MaxRules = 50;
    public const int MaxSteps = 5;
    public const int MaxApprovers = 5;
    public const int MaxScore = 1000;

    /// <summary>Roles that may carry a step: the approving roles of the staff model.</summary>
    public static readonly IReadOnlyList<string> StepRoles = ["risk_officer", "dept_head", "admin"];

    /// <summary>
    /// The seed policy: below 50,000 CNY one risk officer; 50,000–100,000 CNY one risk officer, and a department head
    /// as well when the score is below <paramref name="deptHeadBelowScore"/>; above 100,000 CNY a risk officer, then a
    /// department head.
    /// </summary>
    public static IReadOnlyList<ApprovalRule> Defaults(int deptHeadBelowScore)
    {
        ApprovalStep[] officer = [new("risk_officer", 1)];
        ApprovalStep[] dual = [new("risk_officer", 1), new("dept_head", 1)];
        return
        [
            new(null, null, FiftyThousandYuan, null, null, officer),
            new(null, null, HundredThousandYuan + 1, null, deptHeadBelowScore, dual),
            new(null, null, HundredThousandYuan + 1, null, null, officer),
            new(null, null, null, null, null, dual),
        ];
    }

    /// <summary>The first matching rule and its 1-based position; a valid policy always has one (its last rule matches everything).</summary>
    public static (int Position, ApprovalRule Rule) Route(IReadOnlyList<ApprovalRule> rules, ApprovalSubject subject)
    {
        ArgumentNullException.ThrowIfNull(rules);
        for (var i = 0; i < rules.Count; i++)
        {
            if (rules[i].Matches(subject))
            {
                return (i + 1, rules[i]);
            }
        }

        throw new InvalidOperationException("The approval policy has no rule for this application; a valid policy ends with a rule without conditions.");
    }

    /// <summary>Every problem with a rule list, so an admin can fix them all at once.</summary>
    public static IReadOnlyList<ApprovalRuleError> Validate(IReadOnlyList<ApprovalRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var errors = new List<ApprovalRuleError>();
        if (rules.Count is 0 or > MaxRules)
        {
            errors.Add(new("rules", $"Between 1 and {MaxRules} rules are required."));
            return errors;
        }

        for (var i = 0; i < rules.Count; i++)
        {
            ValidateRule(rules[i], $"rules[{i}]", errors);
        }

        if (!rules[^1].IsCatchAll)
        {
            errors.Add(new($"rules[{rules.Count - 1}]", "The last rule must have no conditions, so that every application is routed."));
        }

        return errors;
    }

    private static void ValidateRule(ApprovalRule r, string at, List<ApprovalRuleError> errors)
    {
        if (r.AmountFrom is < 0)
        {
            errors.Add(new(at + ".amountFrom", "Must not be negative."));
        }

        if (r.AmountBelow is <= 0)
        {
            errors.Add(new(at + ".amountBelow", "Must be positive."));
        }

        if (r.AmountFrom is { } af && r.AmountBelow is { } ab && af >= ab)
        {
            errors.Add(new(at + ".amountBelow", "Must be greater than amountFrom."));
        }

        if (r.ScoreFrom is < 0 or > MaxScore)
        {
            errors.Add(new(at + ".scoreFrom", $"Must be between 0 and {MaxScore}."));
        }

        if (r.ScoreBelow is <= 0 or > MaxScore + 1)
        {
            errors.Add(new(at + ".scoreBelow", $"Must be between 1 and {MaxScore + 1}."));
        }

        if (r.ScoreFrom is { } sf && r.ScoreBelow is { } sb && sf >= sb)
        {
            errors.Add(new(at + ".scoreBelow", "Must be greater than scoreFrom."));
        }

        if (r.Steps is null || r.Steps.Count is 0 or > MaxSteps)
        {
            errors.Add(new(at + ".steps", $"Between 1 and {MaxSteps} steps are required."));
            return;
        }

        for (var s = 0; s < r.Steps.Count; s++)
        {
            if (!StepRoles.Contains(r.Steps[s].Role, StringComparer.Ordinal))
            {
                errors.Add(new($"{at}.steps[{s}].role", $"Must be one of {string.Join(", ", StepRoles)}."));
            }

            if (r.Steps[s].Approvers is < 1 or > MaxApprovers)
            {
                errors.Add(new($"{at}.steps[{s}].approvers", $"Must be between 1 and {MaxApprovers}."));
            }
        }
    }

    /// <summary>Steps as stored: <c>risk_officer:1,dept_head:1</c>.</summary>
    public static string FormatSteps(IEnumerable<ApprovalStep> steps) =>
        string.Join(',', steps.Select(s => $"{s.Role}:{s.Approvers.ToString(System.Globalization.CultureInfo.InvariantCulture)}"));

    public static IReadOnlyList<ApprovalStep> ParseSteps(string stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return stored.Split(',').Select(part =>
        {
            var (role, count) = (part[..part.IndexOf(':', StringComparison.Ordinal)], part[(part.IndexOf(':', StringComparison.Ordinal) + 1)..]);
            return new ApprovalStep(role, int.Parse(count, System.Globalization.CultureInfo.InvariantCulture));
        }).ToList();
    }
}
