using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HeadlessLoan.Api.Platform.Errors;

/// <summary>Collects every problem with a request so the caller can fix them all at once (422).</summary>
public sealed class RequestValidator
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool HasErrors => _errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(message);
    }

    public bool Required<T>(T? value, string field)
    {
        if (value is null || (value is string s && string.IsNullOrWhiteSpace(s)))
        {
            Add(field, "Is required.");
            return false;
        }

        return true;
    }

    public void Range<T>(T? value, T min, T max, string field)
        where T : struct, IComparable<T>
    {
        if (value is { } v && (v.CompareTo(min) < 0 || v.CompareTo(max) > 0))
        {
            Add(field, $"Must be between {min} and {max}.");
        }
    }

    /// <summary>A date within [min, max], both written as ISO dates in the message.</summary>
    public void Range(DateOnly? value, DateOnly min, DateOnly max, string field)
    {
        if (value is { } v && (v < min || v > max))
        {
            Add(field, $"Must be a date from {Iso(min)} to {Iso(max)}.");
        }
    }

    /// <summary>An instant within [min, max], both written as ISO times in UTC in the message.</summary>
    public void Range(DateTimeOffset? value, DateTimeOffset min, DateTimeOffset max, string field)
    {
        if (value is { } v && (v < min || v > max))
        {
            Add(field, $"Must be a time from {Iso(min)} to {Iso(max)}.");
        }
    }

    /// <summary>No more than <paramref name="places"/> decimal places in value (trailing zeros do not count): nothing is rounded away.</summary>
    public void DecimalPlaces(decimal? value, int places, string field)
    {
        if (value is { } v && decimal.Round(v, places) != v)
        {
            Add(field, $"Must have at most {places} decimal places; it is not rounded.");
        }
    }

    /// <summary>
    /// Between <paramref name="min"/> and <paramref name="max"/> characters, counted as the contract's maxLength (JSON
    /// Schema) and a utf8mb4 column count them: in code points, so a character outside the BMP (a surrogate pair in
    /// .NET) is one character, not two.
    /// </summary>
    public void Length(string? value, int min, int max, string field)
    {
        if (value is not null && Characters(value) is var length && (length < min || length > max))
        {
            Add(field, $"Must be {min} to {max} characters long.");
        }
    }

    /// <summary>The number of characters (code points) in <paramref name="value"/>; an unpaired surrogate counts as one.</summary>
    public static int Characters(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var count = 0;
        foreach (var _ in value.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public ProblemHttpResult ToProblem(string code = "validation_failed", string title = "The request has invalid fields.") =>
        Problems.Create(StatusCodes.Status422UnprocessableEntity, code, title, errors: _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
}
