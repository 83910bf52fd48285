using System.Text.Json;
using HeadlessLoan.Api.Platform.Json;
using HeadlessLoan.Domain.Schedules;
using Microsoft.Extensions.Caching.Memory;

namespace HeadlessLoan.Api.Features.Schedules;

/// <summary>
/// A quote is a pure function of its terms, and calculator traffic repeats the same few terms (a product's
/// defaults, today's date). Serialised answers are kept by terms, bounded by bytes, so a burst of identical
/// quotes costs one computation.
/// </summary>
public sealed class QuoteCache : IDisposable
{
    private const long MaxBytes = 64L * 1024 * 1024;
    private static readonly TimeSpan KeepFor = TimeSpan.FromMinutes(10);

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = MaxBytes });

    // The rate's scale is part of the key: the answer echoes the rate as it was written (0.049 vs 0.0490).
    private sealed record Key(ScheduleTerms Terms, byte RateScale, Guid? ProductId, int? ProductVersion);

    public PreserializedJson GetOrCreate(ScheduleTerms terms, Guid? productId, int? productVersion)
    {
        var key = new Key(terms, terms.AnnualRate.Scale, productId, productVersion);
        if (_cache.TryGetValue(key, out PreserializedJson? cached))
        {
            return cached!;
        }

        var quote = new PreserializedJson(JsonSerializer.SerializeToUtf8Bytes(Compute(terms, productId, productVersion), QuoteJsonContext.Default.QuoteResponse));
        // Sized as twice the JSON to leave room for its compressed form.
        _cache.Set(key, quote, new MemoryCacheEntryOptions { Size = 2L * quote.Json.Length, SlidingExpiration = KeepFor });
        return quote;
    }

    public static QuoteResponse Compute(ScheduleTerms terms, Guid? productId, int? productVersion)
    {
        var schedule = ScheduleCalculator.Build(terms);
        var periods = new QuotePeriod[schedule.Periods.Count];
        for (var i = 0; i < periods.Length; i++)
        {
            var p = schedule.Periods[i];
            periods[i] = new QuotePeriod(p.Period, p.DueDate, p.Principal, p.Interest, p.Payment, p.RemainingPrincipal);
        }

        return new QuoteResponse(
            terms.Principal, terms.AnnualRate, terms.TermMonths, terms.Method, terms.StartDate, productId, productVersion,
            periods, schedule.TotalInterest, schedule.TotalPayment, schedule.Apr, schedule.EffectiveAnnualRate);
    }

    public void Dispose() => _cache.Dispose();
}
