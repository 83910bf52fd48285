using HeadlessLoan.Domain.Schedules;

namespace HeadlessLoan.Api.Features.Applications;

/// <summary>The three pictures an application needs before it can be submitted.</summary>
public enum DocumentKind { IdFront, IdBack, BankCard }

public enum DocumentStatus { Accepted, Rejected }

/// <summary>What a consent allows; only the credit-bureau inquiry so far.</summary>
public enum ConsentPurpose { CreditBureauQuery }

public sealed record CreateApplicationRequest(
    Guid? ProductId,
    long? Amount,
    int? TermMonths,
    RepaymentMethod? Method,
    string? Purpose,
    string? DeclaredName,
    string? DeclaredRegionCode,
    string? DeclaredAddress,
    string? CustomerRef);

public sealed record CreateConsentRequest(ConsentPurpose? Purpose, string? TextVersion);

/// <summary>The multipart form of a document upload; described for the contract, read by hand so every error is ours.</summary>
public sealed class DocumentUploadForm
{
    /// <summary><c>id_front</c>, <c>id_back</c> or <c>bank_card</c>.</summary>
    public required DocumentKind Kind { get; init; }

    /// <summary>A JPEG or PNG image up to <c>Applications:MaxImageBytes</c>.</summary>
    public required IFormFile File { get; init; }
}

/// <summary>One reason of a decision, as the pipeline records it.</summary>
public sealed record ApplicationReason(string Code, string Message);

/// <summary>A rejection of a document: a stable code, the extracted field it concerns and a message for the user.</summary>
public sealed record DocumentError(string Code, string Field, string Message);

/// <summary>The applicant as declared and as read from the documents, masked.</summary>
public sealed record ApplicantResponse(
    string Name,
    string RegionCode,
    string? IdNumber,
    string? IdName,
    DateOnly? IdValidUntil,
    string? CardNumber,
    string? CardBank);

public sealed record DocumentSummary(
    Guid Id,
    DocumentKind Kind,
    DocumentStatus Status,
    string ContentType,
    int SizeBytes,
    IReadOnlyList<DocumentError> Errors,
    DateTimeOffset CreatedAt);

/// <summary>What OCR read from an upload, masked; absent fields were not on this side.</summary>
public sealed record ExtractedFields(string? Name, string? IdNumber, DateOnly? ValidUntil, string? CardNumber, string? CardBank);

public sealed record DocumentResponse(
    Guid Id,
    Guid ApplicationId,
    DocumentKind Kind,
    DocumentStatus Status,
    string ContentType,
    int SizeBytes,
    string Sha256,
    IReadOnlyList<DocumentError> Errors,
    ExtractedFields Extracted,
    DateTimeOffset CreatedAt);

public sealed record ConsentResponse(
    Guid Id,
    Guid ApplicationId,
    ConsentPurpose Purpose,
    string TextVersion,
    string GrantedByKind,
    Guid GrantedById,
    DateTimeOffset GrantedAt);

public sealed record ApplicationResponse(
    Guid Id,
    string Status,
    string CurrentStep,
    string? Decision,
    IReadOnlyList<ApplicationReason> Reasons,
    Guid ProductId,
    int ProductVersion,
    long Amount,
    int TermMonths,
    RepaymentMethod Method,
    string Purpose,
    Guid? BorrowerId,
    Guid? ChannelId,
    string? CustomerRef,
    ApplicantResponse Applicant,
    IReadOnlyList<DocumentSummary> Documents,
    bool ConsentGiven,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? SubmittedAt,
    DateTimeOffset? DecidedAt,
    Approvals.ApprovalProgressResponse? Approval = null);

public sealed record ApplicationSummary(
    Guid Id,
    string Status,
    string CurrentStep,
    string? Decision,
    Guid ProductId,
    int ProductVersion,
    long Amount,
    int TermMonths,
    RepaymentMethod Method,
    Guid? BorrowerId,
    Guid? ChannelId,
    string? CustomerRef,
    string Name,
    string RegionCode,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SubmittedAt,
    DateTimeOffset? DecidedAt);

public sealed record ApplicationListResponse(IReadOnlyList<ApplicationSummary> Items, string? NextCursor);
