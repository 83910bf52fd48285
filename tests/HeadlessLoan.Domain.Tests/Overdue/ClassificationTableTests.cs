using FsCheck.Xunit;
using HeadlessLoan.Domain.Overdue;

namespace HeadlessLoan.Domain.Tests.Overdue;

public sealed class ClassificationTableTests
{
    private static readonly Guid Officer = Guid.Parse("0195f0c4-0000-7000-8000-000000000001");
    private static readonly Guid Head = Guid.Parse("0195f0c4-0000-7000-8000-000000000002");

    private static ClassificationTable Table(params int[] floors) =>
        new(2, floors.Select((f, i) => new ClassFloor((RiskClass)i, f)).ToArray());

    [Theory]
    [InlineData(0, RiskClass.Normal)]
    [InlineData(1, RiskClass.SpecialMention)]
    [InlineData(90, RiskClass.SpecialMention)]
    [InlineData(91, RiskClass.Substandard)]
    [InlineData(270, RiskClass.Substandard)]
    [InlineData(271, RiskClass.Doubtful)]
    [InlineData(360, RiskClass.Doubtful)]
    [InlineData(361, RiskClass.Loss)]
    [InlineData(5_000, RiskClass.Loss)]
    public void The_default_table_follows_the_2023_rules_overdue_day_thresholds(int daysPastDue, RiskClass expected) =>
        Assert.Equal(expected, ClassificationTable.Default.Classify(daysPastDue));

    [Fact]
    public void The_default_table_is_version_1_and_usable()
    {
        Assert.Equal(1, ClassificationTable.Default.Version);
        Assert.Null(ClassificationTable.Default.Problem());
    }

    public static TheoryData<ClassificationTable, string> Unusable() => new()
    {
        { ClassificationTable.Default with { Version = 0 }, "version must be at least 1" },
        { Table(0, 1, 91, 271), "floors must name each class once, in the order normal, special_mention, substandard, doubtful, loss" },
        { Table(0, 1, 91, 271, 361, 400), "floors must name each class once" },
        { new ClassificationTable(2, [new(RiskClass.Normal, 0), new(RiskClass.Substandard, 1), new(RiskClass.SpecialMention, 91), new(RiskClass.Doubtful, 271), new(RiskClass.Loss, 361)]), "floors must name each class once" },
        { new ClassificationTable(2, [new(RiskClass.Normal, 0), new(RiskClass.SpecialMention, 1), new(RiskClass.SpecialMention, 91), new(RiskClass.Doubtful, 271), new(RiskClass.Loss, 361)]), "floors must name each class once" },
        { new ClassificationTable(2, null!), "floors must name each class once" },
        { Table(1, 2, 91, 271, 361), "the normal class's floor must be 0 days" },
        { Table(0, 1, 91, 91, 361), "floors must increase strictly" },
        { Table(0, 1, 271, 91, 361), "floors must increase strictly" },
        { Table(0, 0, 91, 271, 361), "floors must increase strictly" },
    };

    [Theory]
    [MemberData(nameof(Unusable))]
    public void An_unusable_table_says_why_and_classifies_nothing(ClassificationTable table, string problem)
    {
        Assert.StartsWith(problem, table.Problem(), StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => table.Classify(0));
    }

    [Fact]
    public void A_stricter_table_of_its_own_is_usable()
    {
        var table = Table(0, 1, 31, 91, 181);

        Assert.Null(table.Problem());
        Assert.Equal(RiskClass.Substandard, table.Classify(31));
        Assert.Equal(RiskClass.Loss, table.Classify(181));
    }

    [Fact]
    public void Negative_days_past_due_are_a_fault() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ClassificationTable.Default.Classify(-1));

    [Fact]
    public void Wire_names_are_the_stored_ones_and_parse_back()
    {
        Assert.Equal(["normal", "special_mention", "substandard", "doubtful", "loss"], RiskClassNames.All);
        foreach (var riskClass in Enum.GetValues<RiskClass>())
        {
            Assert.True(RiskClassNames.TryParse(riskClass.ToWire(), out var parsed));
            Assert.Equal(riskClass, parsed);
        }

        Assert.False(RiskClassNames.TryParse("Loss", out _));
        Assert.Throws<FormatException>(() => RiskClassNames.Parse("关注"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ((RiskClass)9).ToWire());
    }

    [Fact]
    public void A_standing_override_wins_over_the_table_and_without_one_the_table_decides()
    {
        var technicalOverdue = new ClassOverride(RiskClass.Normal, Officer, Head, "the bank's debit failed on its side");

        Assert.Equal(RiskClass.Normal, ClassificationTable.Effective(RiskClass.SpecialMention, technicalOverdue));
        Assert.Equal(RiskClass.Doubtful, ClassificationTable.Effective(RiskClass.Substandard, technicalOverdue with { Class = RiskClass.Doubtful }));
        Assert.Equal(RiskClass.SpecialMention, ClassificationTable.Effective(RiskClass.SpecialMention, null));
    }

    public static TheoryData<ClassOverride, string> Unapproved() => new()
    {
        { new ClassOverride(RiskClass.Loss, Officer, Officer, "fraud"), "an override is approved by someone other than who asked for it" },
        { new ClassOverride(RiskClass.Loss, Officer, Guid.Empty, "fraud"), "an override names who asked for it and who approved it" },
        { new ClassOverride(RiskClass.Loss, Officer, Head, " "), "an override says why" },
        { new ClassOverride((RiskClass)7, Officer, Head, "fraud"), "class must be one of the five risk classes" },
    };

    [Theory]
    [MemberData(nameof(Unapproved))]
    public void An_override_without_a_second_approver_or_a_reason_cannot_stand(ClassOverride unapproved, string problem)
    {
        Assert.Equal(problem, unapproved.Problem());
        Assert.Throws<ArgumentException>(() => ClassificationTable.Effective(RiskClass.Normal, unapproved));
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(OverdueArbitrary)])]
    public bool More_days_past_due_never_give_a_better_class(TableCase c)
    {
        var classes = Enumerable.Range(c.DaysPastDue, 500).Select(c.Table.Classify).ToArray();
        return c.Table.Problem() is null && classes.Zip(classes.Skip(1)).All(pair => pair.First <= pair.Second);
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(OverdueArbitrary)])]
    public bool Each_class_starts_exactly_at_its_floor(TableCase c) =>
        c.Table.Floors.Skip(1).All(f => c.Table.Classify(f.MinDaysPastDue) == f.Class && c.Table.Classify(f.MinDaysPastDue - 1) == f.Class - 1);
}
