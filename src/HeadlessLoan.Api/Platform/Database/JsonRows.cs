using System.Text.Json;

namespace HeadlessLoan.Api.Platform.Database;

/// <summary>
/// Rows for a statement that reads them with JSON_TABLE: one JSON document with camelCase names, so thousands of rows
/// bind as one parameter instead of thousands (which cost more to bind and parse than the rows cost to write).
/// </summary>
public static class JsonRows
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Of<T>(IEnumerable<T> rows) => JsonSerializer.Serialize(rows, Options);
}
