using System.Net.Http.Headers;

namespace HeadlessLoan.Client;

/// <summary>Reads the headers the generated code hands over (a case-sensitive copy of the response's headers).</summary>
internal static class ResponseHeaders
{
    public static string? First(IReadOnlyDictionary<string, IEnumerable<string>>? headers, string name)
    {
        if (headers is null)
        {
            return null;
        }

        foreach (var (key, values) in headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return values.FirstOrDefault();
            }
        }

        return null;
    }

    /// <summary><c>Retry-After</c> as a wait from now: seconds, or an HTTP date (a date already past is no wait).</summary>
    public static TimeSpan? RetryAfter(IReadOnlyDictionary<string, IEnumerable<string>>? headers, TimeProvider clock)
    {
        if (!RetryConditionHeaderValue.TryParse(First(headers, "Retry-After"), out var retry))
        {
            return null;
        }

        if (retry.Delta is { } delta)
        {
            return delta;
        }

        return retry.Date is { } date ? Max(date - clock.GetUtcNow(), TimeSpan.Zero) : null;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
