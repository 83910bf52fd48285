using HeadlessLoan.Api.Platform.Network;
using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using HeadlessLoan.Api.Features.Approvals;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.Paging;
using HeadlessLoan.Api.Platform.Idempotency;
using HeadlessLoan.Api.Platform.RateLimiting;
using HeadlessLoan.Api.Platform.Privacy;
using HeadlessLoan.Api.Features.Products;
using HeadlessLoan.Domain.Applications;
using HeadlessLoan.Domain.Privacy;
using HeadlessLoan.Domain.Schedules;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace HeadlessLoan.Api.Features.Applications;

/// <summary>
/// Loan applications (intake): a borrower applies for themself, a channel on behalf of its customer; documents are
/// read by OCR and checked; consent to the bureau inquiry is recorded; submit hands the application to the
/// asynchronous credit check. A caller who may not see an application gets 404, never 403 and never its data.
/// </summary>
public static partial class ApplicationsApi
{
    public const string DeviceFingerprintHeader = "X-Device-Fingerprint";
    public const int MaxListLimit = 100;
    public const int DefaultListLimit = 20;

    /// <summary>The longest declared name and address, in characters (their encrypted columns are sized for them, 0008).</summary>
    public const int MaxDeclaredNameLength = 50;

    public const int MaxDeclaredAddressLength = 200;

    /// <summary>The window the submission filters accept (inclusive): nothing was submitted before 2000, and this century ends there.</summary>
    public static readonly DateTimeOffset EarliestFilterTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset LatestFilterTime = new(2101, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Multipart framing around an image: the part headers, the kind field and the boundaries.</summary>
    private const int MultipartOverheadBytes = 64 * 1024;

    private static readonly IReadOnlyList<string> Statuses = ApplicationStatusNames.All;

    public static IEndpointRouteBuilder MapApplicationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/applications").WithTags("Applications").RequireRateLimiting(RateLimitPolicies.PerCaller);
        var maxImage = app.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<ApplicationsOptions>>().Value.MaxImageBytes;

        group.MapPost("/", CreateApplication).WithName("CreateApplication")
            .WithSummary("Start an application: a borrower's own, or a channel's for its customer")
            .RequireAuthorization(Policies.Applicant).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 422, 429)
            .Validates<CreateApplicationRequest>(ValidateApplication);
        group.MapGet("/", ListApplications).WithName("ListApplications")
            .WithSummary("List applications: staff see all, borrowers and channels their own")
            .RequireAuthorization(Policies.AnyCaller).ProducesAuthProblems().ProducesProblems(400, 422, 429);
        group.MapGet("/{applicationId:guid}", GetApplication).WithName("GetApplication")
            .WithSummary("Read an application, personal data masked")
            .RequireAuthorization(Policies.AnyCaller).ProducesAuthProblems().ProducesProblems(404, 429);
        group.MapPost("/{applicationId:guid}/documents", UploadDocument).WithName("UploadApplicationDocument")
            .WithSummary("Upload an ID card side or the bank card; it is read by OCR and checked")
            .Accepts<DocumentUploadForm>("multipart/form-data")
            .WithMetadata(new BodySizeLimit(maxImage + MultipartOverheadBytes))
            .RequireAuthorization(Policies.Applicant).ProducesAuthProblems(forbidden: true)
            .ProducesProblems(400, 404, 409, 413, 415, 422, 429, 502, 503);
        group.MapPost("/{applicationId:guid}/consents", RecordConsent).WithName("RecordApplicationConsent")
            .WithSummary("Record the applicant's consent to the credit-bureau inquiry")
            .RequireAuthorization(Policies.Applicant).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 422, 429)
            .Validates<CreateConsentRequest>(ValidateConsent);
        group.MapPost("/{applicationId:guid}/submit", SubmitApplication).WithName("SubmitApplication")
            .WithSummary("Submit a complete application for the credit check")
            .RequireAuthorization(Policies.Applicant).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 422, 429);
        return app;
    }

    private static void ValidateApplication(CreateApplicationRequest request, RequestValidator v, HttpContext http)
    {
        var isChannel = http.User.Kind() == Caller.Channel;
        var deviceFingerprint = http.Request.Headers[DeviceFingerprintHeader] is { Count: > 0 } header ? header.ToString() : null;
        v.Required(request.ProductId, "productId");
        if (v.Required(request.Amount, "amount"))
        {
            v.Range(request.Amount, ScheduleLimits.MinPrincipal, ScheduleLimits.MaxPrincipal, "amount");
        }

        if (v.Required(request.TermMonths, "termMonths"))
        {
            v.Range(request.TermMonths, ScheduleLimits.MinTermMonths, ScheduleLimits.MaxTermMonths, "termMonths");
        }

        v.Required(request.Method, "method");
        Text(v, request.Purpose, 200, "purpose");
        Text(v, request.DeclaredName, MaxDeclaredNameLength, "declaredName");
        Text(v, request.DeclaredAddress, MaxDeclaredAddressLength, "declaredAddress");
        if (v.Required(request.DeclaredRegionCode, "declaredRegionCode") && !RegionCode().IsMatch(request.DeclaredRegionCode!))
        {
            v.Add("declaredRegionCode", "Must be a 6-digit GB/T 2260 administrative code, e.g. 110101.");
        }

        if (isChannel)
        {
            Text(v, request.CustomerRef, 64, "customerRef");
        }
        else if (request.CustomerRef is not null)
        {
            v.Add("customerRef", "Only channels send a customer reference; a borrower applies for themself.");
        }

        if (deviceFingerprint is not null && (deviceFingerprint.Length is 0 or > 128 || !deviceFingerprint.All(c => c is >= '!' and <= '~')))
        {
            v.Add(DeviceFingerprintHeader, "Must be 1 to 128 printable ASCII characters without spaces.");
        }
    }

    public static async Task<Results<Created<ApplicationResponse>, ProblemHttpResult>> CreateApplication(
        CreateApplicationRequest request, [FromHeader(Name = DeviceFingerprintHeader)] string? deviceFingerprint,
        HttpContext http, CurrentCaller caller, ApplicationStore store, IProductCatalog products, PersonalDataProtector protector, CancellationToken ct)
    {
        var isChannel = caller.IsChannel;
        var product = await products.GetAsync(request.ProductId!.Value, null, ct);
        var terms = new RequestValidator();
        if (product is null || !product.IsActive)
        {
            terms.Add("productId", "No product with this id is on offer.");
        }
        else
        {
            terms.Range(request.Amount, product.AmountMin, product.AmountMax, "amount");
            terms.Range(request.TermMonths, product.TermMinMonths, product.TermMaxMonths, "termMonths");
            if (!product.Methods.Contains(request.Method!.Value))
            {
                terms.Add("method", $"The product offers {string.Join(", ", product.Methods.Select(RepaymentMethodNames.ToWire))}.");
            }
        }

        if (terms.HasErrors)
        {
            return terms.ToProblem("outside_product_terms", "The application is outside the product's terms.");
        }

        var callerId = caller.Id;
        var row = await store.InsertAsync(new NewApplication(
            Guid.CreateVersion7(),
            isChannel ? null : callerId,
            isChannel ? callerId : null,
            isChannel ? request.CustomerRef!.Trim() : null,
            product!.Id,
            product.Version,
            request.Amount!.Value,
            request.TermMonths!.Value,
            RepaymentMethodNames.ToWire(request.Method!.Value),
            request.Purpose!.Trim(),
            request.DeclaredName!.Trim(),
            request.DeclaredRegionCode!,
            request.DeclaredAddress!.Trim(),
            deviceFingerprint,
            ClientAddress.Of(http)), caller.Actor, ct);
        return TypedResults.Created($"/v1/applications/{row.Id}", ToResponse(row, [], false, protector));
    }

    public static async Task<Results<Ok<ApplicationResponse>, ProblemHttpResult>> GetApplication(
        Guid applicationId, HttpContext http, CurrentCaller caller, ApplicationStore store, IApprovalProgress approvals, PersonalDataProtector protector, CancellationToken ct)
    {
        if (await store.GetVisibleAsync(applicationId, ScopeOf(caller), ct) is not { } row)
        {
            return Problems.NotFound("The application");
        }

        var (documents, consent) = await store.DetailsAsync(applicationId, ct);
        var progress = row.State == ApplicationStatus.PendingApproval ? await approvals.ProgressAsync(applicationId, ct) : null;
        return TypedResults.Ok(ToResponse(row, documents, consent, protector, progress));
    }

    public static async Task<Results<Ok<ApplicationListResponse>, ProblemHttpResult>> ListApplications(
        string? status, Guid? productId, DateTimeOffset? submittedFrom, DateTimeOffset? submittedTo, int? limit, string? after,
        HttpContext http, CurrentCaller caller, ApplicationStore store, PersonalDataProtector protector, CancellationToken ct)
    {
        var v = new RequestValidator();
        if (status is not null && !Statuses.Contains(status, StringComparer.Ordinal))
        {
            v.Add("status", $"Must be one of {string.Join(", ", Statuses)}.");
        }

        v.Range(limit, 1, MaxListLimit, "limit");
        v.Range(submittedFrom, EarliestFilterTime, LatestFilterTime, "submittedFrom");
        v.Range(submittedTo, EarliestFilterTime, LatestFilterTime, "submittedTo");
        if (submittedFrom is { } from && submittedTo is { } to && from > to)
        {
            v.Add("submittedFrom", "Must not be after submittedTo.");
        }

        var position = v.After(after);

        if (v.HasErrors)
        {
            return v.ToProblem();
        }

        var take = limit ?? DefaultListLimit;
        var filter = new ApplicationFilter(status, productId, submittedFrom?.UtcDateTime, submittedTo?.UtcDateTime);
        var rows = await store.ListAsync(ScopeOf(caller), filter, position, take, ct);
        var (page, next) = Pages.Of(rows, take, r => Pages.Cursor(new ListPosition(r.CreatedAt, r.Id)));
        return TypedResults.Ok(new ApplicationListResponse(page.Select(r => ToSummary(r, protector)).ToList(), next));
    }

    private static void ValidateConsent(CreateConsentRequest request, RequestValidator v, HttpContext http)
    {
        v.Required(request.Purpose, "purpose");
        if (v.Required(request.TextVersion, "textVersion"))
        {
            v.Length(request.TextVersion!.Trim(), 1, 32, "textVersion");
        }
    }

    public static async Task<Results<Created<ConsentResponse>, ProblemHttpResult>> RecordConsent(
        Guid applicationId, CreateConsentRequest request, HttpContext http, CurrentCaller caller, ApplicationStore store, CancellationToken ct)
    {
        if (await store.GetVisibleAsync(applicationId, ScopeOf(caller), ct) is null)
        {
            return Problems.NotFound("The application");
        }

        var consentId = Guid.CreateVersion7();
        var kind = caller.Kind;
        var by = caller.Id;
        var userAgent = http.Request.Headers.UserAgent.ToString();
        var (added, grantedAt) = await store.AddConsentAsync(
            consentId, applicationId, request.TextVersion!.Trim(), kind, by, ClientAddress.Of(http),
            userAgent.Length == 0 ? null : userAgent[..Math.Min(userAgent.Length, 300)], ct);
        return added
            ? TypedResults.Created((string?)null, new ConsentResponse(consentId, applicationId, request.Purpose!.Value, request.TextVersion!.Trim(), kind, by, DbTime.ToOffset(grantedAt)))
            : NotDraft();
    }

    public static async Task<Results<Accepted<ApplicationResponse>, ProblemHttpResult>> SubmitApplication(
        Guid applicationId, HttpContext http, CurrentCaller caller, ApplicationSubmitter submitter, PersonalDataProtector protector)
    {
        // Not cancelled with the request: once queued, a submit is made, and its answer is what a retry is replayed.
        var result = await submitter.SubmitAsync(applicationId, ScopeOf(caller), caller.Actor);
        switch (result.Outcome)
        {
            case Submission.NotFound:
                return Problems.NotFound("The application");
            case Submission.NotDraft:
                return NotDraft();
            case Submission.Incomplete:
                var v = new RequestValidator();
                foreach (var part in result.Missing)
                {
                    v.Add(part, part.StartsWith("documents.", StringComparison.Ordinal)
                        ? $"An accepted {part["documents.".Length..]} document is required."
                        : "The applicant's consent to the credit-bureau inquiry is required.");
                }

                return v.ToProblem("application_incomplete", "The application is missing documents or consent.");
        }

        return TypedResults.Accepted($"/v1/applications/{applicationId}", ToResponse(result.Row!, result.Documents, result.ConsentGiven, protector));
    }

    internal static ProblemHttpResult NotDraft() =>
        Problems.Conflict("application_not_draft", "The application has been submitted; it can no longer be changed.");

    /// <summary>Staff see every application; a borrower or a channel only their own.</summary>
    internal static ApplicationScope ScopeOf(CurrentCaller caller) => caller.Kind switch
    {
        Caller.Staff => new ApplicationScope(null, null),
        Caller.Borrower => new ApplicationScope(caller.Id, null),
        _ => new ApplicationScope(null, caller.Id),
    };

    private static void Text(RequestValidator v, string? value, int max, string field)
    {
        if (v.Required(value, field))
        {
            v.Length(value!.Trim(), 1, max, field);
            if (value.Any(char.IsControl))
            {
                v.Add(field, "Must not contain control characters.");
            }
        }
    }

    private static ApplicationResponse ToResponse(
        ApplicationRow r, IReadOnlyList<DocumentRow> documents, bool consent, PersonalDataProtector protector, ApprovalProgress? progress = null) => new(
        r.Id,
        r.Status,
        r.CurrentStep,
        r.Decision,
        ReadReasons(r.DecisionReasons),
        r.ProductId,
        r.ProductVersion,
        r.Amount,
        r.TermMonths,
        ParseMethod(r.Method),
        r.Purpose,
        r.BorrowerId,
        r.ChannelId,
        r.ChannelCustomerRef,
        new ApplicantResponse(
            Mask.Name(protector.Decrypt(r.DeclaredNameEnc, PersonalDataPurpose.Name)),
            r.DeclaredRegionCode,
            r.IdNumberEnc is { } id ? Mask.IdNumber(protector.Decrypt(id, PersonalDataPurpose.IdNumber)) : null,
            r.IdNameEnc is { } name ? Mask.Name(protector.Decrypt(name, PersonalDataPurpose.Name)) : null,
            r.IdValidUntil is { } until ? DateOnly.FromDateTime(until) : null,
            r.CardNumberEnc is { } card ? Mask.CardNumber(protector.Decrypt(card, PersonalDataPurpose.CardNumber)) : null,
            r.CardBank),
        documents.Select(ToSummary).ToList(),
        consent,
        DbTime.ToOffset(r.CreatedAt),
        DbTime.ToOffset(r.UpdatedAt),
        DbTime.ToOffset(r.SubmittedAt),
        DbTime.ToOffset(r.DecidedAt),
        progress is null ? null : new ApprovalProgressResponse(progress.StepNumber, progress.StepCount, DbTime.ToOffset(progress.WaitingSince), progress.EstimatedWaitMinutes));

    private static ApplicationSummary ToSummary(ApplicationRow r, PersonalDataProtector protector) => new(
        r.Id, r.Status, r.CurrentStep, r.Decision, r.ProductId, r.ProductVersion, r.Amount, r.TermMonths, ParseMethod(r.Method),
        r.BorrowerId, r.ChannelId, r.ChannelCustomerRef,
        Mask.Name(protector.Decrypt(r.DeclaredNameEnc, PersonalDataPurpose.Name)), r.DeclaredRegionCode,
        DbTime.ToOffset(r.CreatedAt), DbTime.ToOffset(r.SubmittedAt), DbTime.ToOffset(r.DecidedAt));

    internal static DocumentSummary ToSummary(DocumentRow d) => new(
        d.Id, DocumentKinds.Parse(d.Kind), d.Status == "accepted" ? DocumentStatus.Accepted : DocumentStatus.Rejected,
        d.ContentType, d.SizeBytes, ErrorsOf(d.ErrorCode), DbTime.ToOffset(d.CreatedAt));

    internal static IReadOnlyList<DocumentError> ErrorsOf(string? codes) =>
        string.IsNullOrEmpty(codes) ? [] : codes.Split(',').Select(DocumentErrorCodes.ToError).ToList();

    private static RepaymentMethod ParseMethod(string stored) =>
        RepaymentMethodNames.TryParse(stored, out var m) ? m : throw new InvalidDataException($"Stored method '{stored}'.");

    /// <summary>The pipeline writes <c>[{code, message}]</c>; anything else is shown as no reasons.</summary>
    private static List<ApplicationReason> ReadReasons(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.ValueKind != JsonValueKind.Array
            ? []
            : doc.RootElement.EnumerateArray()
                .Where(e => e.ValueKind == JsonValueKind.Object)
                .Select(e => new ApplicationReason(
                    e.TryGetProperty("code", out var c) ? c.GetString() ?? "" : "",
                    e.TryGetProperty("message", out var m) ? m.GetString() ?? "" : ""))
                .ToList();
    }

    [GeneratedRegex("^[1-9][0-9]{5}$")]
    private static partial Regex RegionCode();
}

/// <summary>Wire names of document kinds (as stored and as sent in the form).</summary>
public static class DocumentKinds
{
    public static string ToWire(DocumentKind kind) => kind switch
    {
        DocumentKind.IdFront => "id_front",
        DocumentKind.IdBack => "id_back",
        _ => "bank_card",
    };

    public static bool TryParse(string? wire, out DocumentKind kind)
    {
        (var ok, kind) = wire switch
        {
            "id_front" => (true, DocumentKind.IdFront),
            "id_back" => (true, DocumentKind.IdBack),
            "bank_card" => (true, DocumentKind.BankCard),
            _ => (false, default),
        };
        return ok;
    }

    public static DocumentKind Parse(string wire) => TryParse(wire, out var k) ? k : throw new InvalidDataException($"Stored document kind '{wire}'.");
}
