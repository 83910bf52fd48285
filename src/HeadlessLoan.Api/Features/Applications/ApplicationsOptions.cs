using System.ComponentModel.DataAnnotations;
using HeadlessLoan.Api.Integrations.Blobs;

namespace HeadlessLoan.Api.Features.Applications;

public sealed class ApplicationsOptions
{
    public const string Section = "Applications";

    /// <summary>Uploads per application, rejected ones included (each costs an OCR call).</summary>
    [Range(3, 100)]
    public int MaxDocuments { get; init; } = 10;

    /// <summary>Largest image accepted (WeChat OCR takes images up to 2 MB).</summary>
    [Range(1024, 2_097_152)]
    public int MaxImageBytes { get; init; } = 2_097_152;

    /// <summary>The BIN table (JSON); <c>Features/Applications/data/card-bins.json</c> under the content root when empty.</summary>
    public string? CardBinFile { get; init; }
}
