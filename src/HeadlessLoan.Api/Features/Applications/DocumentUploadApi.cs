using System.Security.Cryptography;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Features.Borrowers;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.Privacy;
using HeadlessLoan.Api.Features.Products;
using HeadlessLoan.Api.Integrations.WeChat;
using HeadlessLoan.Domain.Applications;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Features.Applications;

public static partial class ApplicationsApi
{
    /// <summary>
    /// <c>POST /v1/applications/{id}/documents</c>: checks the image (type by its first bytes, size, the document
    /// limit), reads it through WeChat OCR, verifies what was read, stores the image encrypted and records the
    /// upload. A readable upload that breaks a rule is still recorded: 201 with <c>status: rejected</c> and
    /// <c>errors</c>, so the mini-program can tell the user what to fix.
    /// </summary>
    public static async Task<Results<Created<DocumentResponse>, ProblemHttpResult>> UploadDocument(
        Guid applicationId, HttpContext http, CurrentCaller caller, ApplicationStore store, IProductCatalog products, DocumentImages images,
        WeChatApiClient wechat, CardBins bins, PersonalDataProtector protector, IOptions<ApplicationsOptions> options,
        TimeProvider clock, CancellationToken ct)
    {
        if (!http.Request.HasFormContentType)
        {
            return Problems.Create(415, "unsupported_media_type", "The body must be multipart/form-data with the fields kind and file.");
        }

        if (await store.GetVisibleAsync(applicationId, ScopeOf(caller), ct) is not { } application)
        {
            return Problems.NotFound("The application");
        }

        if (!ApplicationLifecycle.Allows(application.State, ApplicationEvent.EditDocuments))
        {
            return NotDraft();
        }

        var (upload, refused) = await ReadUploadAsync(http.Request, options.Value.MaxImageBytes, ct);
        if (upload is null)
        {
            return refused!;
        }

        // The slot is taken before the paid OCR call, so uploads arriving together cannot all be read.
        if (!await store.TakeDocumentSlotAsync(applicationId, options.Value.MaxDocuments, ct))
        {
            return TooMany(options.Value.MaxDocuments);
        }

        var recorded = false;
        try
        {
            var (kind, image, contentType) = upload;
            var (verdict, failed) = await CheckAsync(http, () => ReadAndCheckAsync(kind, image, contentType, application, wechat, products, bins, protector, clock, ct));
            if (verdict is null)
            {
                return failed!;
            }

            var documentId = Guid.CreateVersion7();
            var blobKey = await images.SaveAsync(applicationId, documentId, image, ct);
            var row = new DocumentRow(
                documentId, applicationId, DocumentKinds.ToWire(kind), contentType, image.Length, Convert.ToHexStringLower(SHA256.HashData(image)),
                blobKey, verdict.Accepted ? "accepted" : "rejected", verdict.Accepted ? null : string.Join(',', verdict.ErrorCodes), DbTime.Now(clock));
            var added = await store.AddDocumentAsync(row, verdict, options.Value.MaxDocuments, caller.Actor, ct);
            if (added != DocumentAdd.Added)
            {
                await images.DeleteAsync(blobKey, CancellationToken.None);
                return added == DocumentAdd.NotDraft ? NotDraft() : TooMany(options.Value.MaxDocuments);
            }

            recorded = true;
            return Created(row, kind, verdict);
        }
        finally
        {
            if (!recorded)
            {
                await store.GiveBackDocumentSlotAsync(applicationId);
            }
        }
    }

    private static Created<DocumentResponse> Created(DocumentRow row, DocumentKind kind, DocumentVerdict verdict) =>
        TypedResults.Created((string?)null, new DocumentResponse(
            row.Id, row.ApplicationId, kind, verdict.Accepted ? DocumentStatus.Accepted : DocumentStatus.Rejected, row.ContentType, row.SizeBytes, row.Sha256,
            ErrorsOf(row.ErrorCode), verdict.Extracted, DbTime.ToOffset(row.CreatedAt)));

    /// <summary>The upload's kind and image, checked (fields, size, type by its first bytes); or why it is refused.</summary>
    private static async Task<(Upload? Upload, ProblemHttpResult? Refused)> ReadUploadAsync(HttpRequest request, int maxImageBytes, CancellationToken ct)
    {
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(ct);
        }
        catch (InvalidDataException e)
        {
            return (null, Problems.Create(400, "bad_request", "The multipart body could not be read.", e.Message));
        }

        var v = new RequestValidator();
        var kindText = form["kind"];
        var kind = default(DocumentKind);
        if (v.Required(kindText.Count == 1 ? kindText[0] : null, "kind") && !DocumentKinds.TryParse(kindText[0], out kind))
        {
            v.Add("kind", "Must be id_front, id_back or bank_card.");
        }

        var file = form.Files.GetFile("file");
        if (file is null)
        {
            v.Add("file", "Is required: the image as a file part named file.");
        }
        else if (file.Length == 0)
        {
            v.Add("file", "Is empty.");
        }

        if (v.HasErrors)
        {
            return (null, v.ToProblem());
        }

        if (file!.Length > maxImageBytes)
        {
            return (null, Problems.Create(413, "image_too_large", $"The image is larger than {maxImageBytes} bytes."));
        }

        var image = new byte[file.Length];
        await using (var stream = file.OpenReadStream())
        {
            await stream.ReadExactlyAsync(image, ct);
        }

        return ImageSignatures.Detect(image) is { } contentType
            ? (new Upload(kind, image, contentType), null)
            : (null, Problems.Create(415, "unsupported_image_type", "The file must be a JPEG or PNG image (judged by its content, not its name or declared type)."));
    }

    private sealed record Upload(DocumentKind Kind, byte[] Image, string ContentType);

    /// <summary>The OCR's verdict, or the problem an unavailable or refusing WeChat answers with.</summary>
    private static async Task<(DocumentVerdict? Verdict, ProblemHttpResult? Failed)> CheckAsync(HttpContext http, Func<Task<DocumentVerdict>> check)
    {
        try
        {
            return (await check(), null);
        }
        catch (WeChatUnavailableException e)
        {
            return (null, WeChatProblems.Unavailable(http, e));
        }
        catch (OcrRefusedException e)
        {
            return (null, WeChatProblems.For(e.ErrorCode, http));
        }
    }

    private static async Task<DocumentVerdict> ReadAndCheckAsync(
        DocumentKind kind, byte[] image, string contentType, ApplicationRow application, WeChatApiClient wechat, IProductCatalog products,
        CardBins bins, PersonalDataProtector protector, TimeProvider clock, CancellationToken ct)
    {
        var fileName = contentType == "image/png" ? "image.png" : "image.jpg";
        var today = ChinaTime.Today(clock);
        if (kind == DocumentKind.BankCard)
        {
            var card = await wechat.ExecuteCVOCRBankCardAsync(
                new CVOCRBankCardRequest { ImageFileBytes = image, ImageContentType = contentType, ImageFileName = fileName }, ct);
            return Unreadable(card) ? DocumentChecks.Unreadable() : DocumentChecks.BankCard(card, bins);
        }

        var id = await wechat.ExecuteCVOCRIdCardAsync(
            new CVOCRIdCardRequest { ImageFileBytes = image, ImageContentType = contentType, ImageFileName = fileName }, ct);
        if (Unreadable(id))
        {
            return DocumentChecks.Unreadable();
        }

        if (kind == DocumentKind.IdBack)
        {
            return DocumentChecks.IdBack(id, today);
        }

        // The age rule is the one of the product version the application was made under.
        var product = await products.GetAsync(application.ProductId, application.ProductVersion, ct)
            ?? throw new InvalidOperationException($"Product version {application.ProductId}/{application.ProductVersion} is missing.");
        var declaredName = protector.Decrypt(application.DeclaredNameEnc, PersonalDataPurpose.Name);
        return DocumentChecks.IdFront(id, declaredName, product.AgeMin, product.AgeMax, today);
    }

    /// <summary>Nothing recognised or an undecodable image is the user's to fix; other errors are WeChat's (see <see cref="WeChatProblems.For"/>).</summary>
    private static bool Unreadable(WeChatResponse ocr) => ocr.ErrorCode switch
    {
        0 => false,
        WeChatOcrErrorCodes.NothingRecognised or WeChatOcrErrorCodes.ImageUndecodable => true,
        _ => throw new OcrRefusedException(ocr.ErrorCode),
    };

    private static ProblemHttpResult TooMany(int max) =>
        Problems.Conflict("too_many_documents", $"An application takes at most {max} uploads, rejected ones included.");

    private sealed class OcrRefusedException(int errorCode) : Exception($"WeChat OCR answered errcode {errorCode}.")
    {
        public int ErrorCode { get; } = errorCode;
    }
}
