namespace HeadlessLoan.Api.Platform.Database;

/// <summary>A WHERE clause of optional filters joined by AND: each condition is added only when its filter is given.</summary>
public sealed class SqlWhere
{
    private readonly List<string> _conditions = [];

    /// <summary>Adds <paramref name="condition"/> when <paramref name="given"/>.</summary>
    public SqlWhere And(bool given, string condition)
    {
        if (given)
        {
            _conditions.Add(condition);
        }

        return this;
    }

    /// <summary>Adds <paramref name="condition"/> always.</summary>
    public SqlWhere And(string condition) => And(true, condition);

    /// <summary><c> WHERE a AND b</c>, or nothing when no condition was added.</summary>
    public override string ToString() => _conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", _conditions);
}
