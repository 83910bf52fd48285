namespace HeadlessLoan.Domain.Tests.Lifecycles;

/// <summary>
/// A lifecycle written out as a table, status columns × event rows: each cell the wire name of the next status, or
/// <c>!</c> and the refusal code. Checks one lifecycle function against it cell by cell, and that it has one cell per pair.
/// </summary>
public sealed class LifecycleTable<TStatus, TEvent>(TStatus[] columns, Dictionary<TEvent, string[]> rows)
    where TStatus : struct, Enum
    where TEvent : struct, Enum
{
    /// <summary>Every status × event pair, for a theory over the whole table.</summary>
    public TheoryData<TStatus, TEvent> EveryPair()
    {
        var pairs = new TheoryData<TStatus, TEvent>();
        foreach (var status in Enum.GetValues<TStatus>())
        {
            foreach (var happened in Enum.GetValues<TEvent>())
            {
                pairs.Add(status, happened);
            }
        }

        return pairs;
    }

    /// <summary>The transition the function gave (its next status and refusal) is the table's cell for the pair.</summary>
    public void AssertCell(TStatus status, TEvent happened, TStatus next, string? refusal, Func<TStatus, string> toWire)
    {
        ArgumentNullException.ThrowIfNull(toWire);
        var column = Array.IndexOf(columns, status);
        Assert.True(column >= 0, $"The table has no column for status {status}.");
        Assert.True(rows.TryGetValue(happened, out var row), $"The table has no row for event {happened}.");

        var expected = row![column];
        if (expected.StartsWith('!'))
        {
            Assert.Equal(expected[1..], refusal);
            Assert.Equal(status, next); // a refusal leaves the entity where it was
        }
        else
        {
            Assert.True(refusal is null, $"{happened} in {status} was refused with {refusal}.");
            Assert.Equal(expected, toWire(next));
        }
    }

    public void AssertOneCellPerPair()
    {
        Assert.Equal(Enum.GetValues<TStatus>().Order(), columns.Order());
        Assert.Equal(Enum.GetValues<TEvent>().Order(), rows.Keys.Order());
        Assert.All(rows.Values, row => Assert.Equal(columns.Length, row.Length));
    }
}
