using System.ComponentModel.DataAnnotations;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using HeadlessLoan.Domain.Decisions;

namespace HeadlessLoan.Api.Integrations.Bureau;

public sealed class BureauOptions
{
    public const string Section = "Bureau";

    [Required(ErrorMessage = "Bureau:BaseUrl is required (the credit bureau's API, or the sandbox).")]
    [Url(ErrorMessage = "Bureau:BaseUrl must be an absolute URL.")]
    public string BaseUrl { get; init; } = "";

    [Required(ErrorMessage = "Bureau:ApiKey is required.")]
    public string ApiKey { get; init; } = "";

    /// <summary>Past this the application goes to people instead of waiting: the decision is due within 10 s.</summary>
    [Range(1, 30)]
    public int TimeoutSeconds { get; init; } = 4;

    /// <summary>A stored report is reused for the same ID number within this many days instead of querying again.</summary>
    [Range(0, 365)]
    public int ReuseDays { get; init; } = 30;
}

public sealed record BureauQuery(string IdNumber, string Name, string Purpose, string ConsentId);

/// <summary>The bureau's answer as received; stored encrypted, reused within <see cref="BureauOptions.ReuseDays"/>.</summary>
public sealed record BureauReportDocument(string ReportId, int Score, int OverdueRecords, int RecentInquiries, bool Blacklisted, DateTimeOffset GeneratedAt)
{
    /// <summary>The longest report id kept (the sandbox's are 36 characters); with the fixed fields it bounds the stored report.</summary>
    public const int MaxReportIdLength = 64;

    public BureauReport ToReport() => new(Score, OverdueRecords, RecentInquiries, Blacklisted);

    /// <summary>A report id of 1 to <see cref="MaxReportIdLength"/> letters, digits, <c>_</c> or <c>-</c>: nothing JSON would escape.</summary>
    public bool IsWellFormed() =>
        ReportId is { Length: > 0 and <= MaxReportIdLength } && ReportId.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}

/// <summary>The credit bureau over HTTP (<c>POST /bureau/v1/reports</c>, see docs/sandbox.md for the wire format).</summary>
public sealed class CreditBureauClient(HttpClient http)
{
    /// <summary>The report, or null when the bureau is unavailable, too slow or sends a report it cannot keep (the caller routes to people).</summary>
    public async Task<BureauReportDocument?> QueryAsync(BureauQuery query, CancellationToken ct)
    {
        try
        {
            using var response = await http.PostAsJsonAsync("/bureau/v1/reports", new
            {
                idNumber = query.IdNumber,
                name = query.Name,
                purpose = query.Purpose,
                consentId = query.ConsentId,
            }, ct);
            return response.IsSuccessStatusCode && await response.Content.ReadFromJsonAsync<BureauReportDocument>(ct) is { } report && report.IsWellFormed()
                ? report
                : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    public static void Configure(HttpClient client, BureauOptions options)
    {
        client.BaseAddress = new Uri(options.BaseUrl);
        client.Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
    }
}
