using HeadlessLoan.Api.Tests.Infrastructure;
using System.Text.RegularExpressions;

namespace HeadlessLoan.Api.Tests.Architecture;

/// <summary>
/// One owner per table: a table's rows are written from one feature folder only, and other features change them by
/// calling what the owner offers. The platform's own tables (outbox, audit, idempotency) are written from Platform and
/// are not scanned.
/// </summary>
public sealed partial class TableOwnershipTests
{
    [Fact]
    public void EveryTableIsWrittenFromOneFeatureFolderOnly()
    {
        var shared = TableWriters.Scan(Repository.Root)
            .Where(t => t.Value.Count > 1)
            .OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => $"{t.Key}: {string.Join(", ", t.Value.Order(StringComparer.Ordinal))}")
            .ToList();

        Assert.True(shared.Count == 0, "Tables written from more than one feature folder:\n" + string.Join("\n", shared));
    }

    /// <summary>So that the test above cannot pass by finding nothing.</summary>
    [Fact]
    public void TheScannerFindsTheKnownWriters()
    {
        var writers = TableWriters.Scan(Repository.Root);

        Assert.Equal(["Applications"], writers["applications"]);
        Assert.Equal(["Applications"], writers["application_documents"]);
        Assert.Equal(["Applications"], writers["application_consents"]);
        Assert.Equal(["Intake"], writers["bureau_reports"]);
        Assert.Equal(["Approvals"], writers["approval_tasks"]);
        Assert.Equal(["Approvals"], writers["approval_rounds"]);
        Assert.Equal(["Borrowers"], writers["borrowers"]);
        Assert.Equal(["Channels"], writers["channels"]);
        Assert.Equal(["Products"], writers["products"]);
        Assert.Equal(["Staff"], writers["staff_users"]);
        Assert.DoesNotContain("outbox_events", writers.Keys);
    }

    [Fact]
    public void TheScannerSeesEveryKindOfWriteAndNoLockingRead()
    {
        const string source = """
            // UPDATE comments is only a sentence about an update
            /// <summary>One UPDATE decides.</summary>
            var a = "INSERT INTO one (id) VALUES (@id) ON DUPLICATE KEY UPDATE id = id";
            var b = "insert ignore into two (id) values (1)";
            var c = "REPLACE INTO three VALUES (1)";
            var d = "DELETE FROM four WHERE id = 1";
            var e = "update `five` set x = 1";
            var f = "SELECT id FROM six WHERE id = 1 FOR UPDATE";
            var g = "SELECT id FROM seven FOR UPDATE SKIP LOCKED";
            var h = '''
                UPDATE
                  eight SET x = 1
                ''';
            """;

        Assert.Equal(["eight", "five", "four", "one", "three", "two"], TableWriters.WrittenIn(source).Order(StringComparer.Ordinal));
    }
}

/// <summary>Which feature folders write which tables, read from the SQL in their source.</summary>
internal static partial class TableWriters
{
    /// <summary>Every table the migrations create, mapped to the feature folders whose source writes it.</summary>
    public static Dictionary<string, HashSet<string>> Scan(string root)
    {
        var tables = Directory.EnumerateFiles(Path.Combine(root, "src", "HeadlessLoan.Api", "Platform", "Database", "Migrations"), "*.sql")
            .SelectMany(f => CreateTable().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value.ToLowerInvariant()))
            .ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(tables);

        var writers = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var feature in Directory.EnumerateDirectories(Path.Combine(root, "src", "HeadlessLoan.Api", "Features")))
        {
            var name = Path.GetFileName(feature);
            var files = Directory.EnumerateFiles(feature, "*.cs", SearchOption.AllDirectories)
                .Concat(Directory.EnumerateFiles(feature, "*.sql", SearchOption.AllDirectories));
            // A word after UPDATE that is no table (prose in a message) is not a write.
            foreach (var table in files.SelectMany(f => WrittenIn(File.ReadAllText(f))).Where(tables.Contains))
            {
                (writers.TryGetValue(table, out var set) ? set : writers[table] = new HashSet<string>(StringComparer.Ordinal)).Add(name);
            }
        }

        return writers;
    }

    /// <summary>The names after every INSERT [IGNORE] INTO, REPLACE INTO, UPDATE and DELETE FROM outside comment lines, lower case.</summary>
    public static IEnumerable<string> WrittenIn(string source) =>
        Write().Matches(CommentLine().Replace(source, "")).Select(m => m.Groups[1].Value.ToLowerInvariant());

    [GeneratedRegex(@"^\s*//.*$", RegexOptions.Multiline)]
    private static partial Regex CommentLine();

    // FOR UPDATE locks rows it reads; ON DUPLICATE KEY UPDATE belongs to the INSERT before it.
    [GeneratedRegex(@"\b(?:INSERT\s+(?:IGNORE\s+)?INTO|REPLACE\s+INTO|DELETE\s+FROM|(?<!\bFOR\s+|\bKEY\s+)UPDATE)\s+`?(\w+)`?", RegexOptions.IgnoreCase)]
    private static partial Regex Write();

    [GeneratedRegex(@"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?`?(\w+)`?", RegexOptions.IgnoreCase)]
    private static partial Regex CreateTable();
}
