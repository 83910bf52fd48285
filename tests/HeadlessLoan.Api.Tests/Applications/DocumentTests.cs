using System.Net;
using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.Applications;

public sealed class DocumentTests(ApplicationsApiFactory api) : IClassFixture<ApplicationsApiFactory>
{
    [Theory]
    [InlineData("id-front-checksum-wrong", "id_front", "id_checksum_invalid", "idNumber")]
    [InlineData("id-front-name-mismatch", "id_front", "name_mismatch", "name")]
    [InlineData("id-back-expired", "id_back", "id_expired", "validDate")]
    [InlineData("card-luhn-fail", "bank_card", "card_luhn_invalid", "cardNumber")]
    [InlineData("unreadable", "id_front", "ocr_unreadable", "file")]
    [InlineData("unreadable", "id_back", "ocr_unreadable", "file")]
    [InlineData("unreadable", "bank_card", "ocr_unreadable", "file")]
    [InlineData("id-back-valid", "id_front", "document_side_mismatch", "kind")]
    public async Task ABadDocumentIsRecordedAsRejectedWithItsCode(string sample, string kind, string code, string field)
    {
        var productId = await api.CreateProductIdAsync();
        using var borrower = await api.CreateBorrowerClientAsync();
        var id = (await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid();

        var document = await borrower.UploadSampleAsync(id, kind, sample);

        Assert.Equal("rejected", document.GetProperty("status").GetString());
        var error = Assert.Single(document.GetProperty("errors").EnumerateArray());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        var read = await (await borrower.GetAsync($"/v1/applications/{id}")).ReadJsonAsync();
        var listed = Assert.Single(read.GetProperty("documents").EnumerateArray());
        Assert.Equal("rejected", listed.GetProperty("status").GetString());
        Assert.Equal([code], listed.ErrorCodes());
        var applicant = read.GetProperty("applicant");
        Assert.False(applicant.TryGetProperty("idNumber", out _));
        Assert.False(applicant.TryGetProperty("cardNumber", out _));
        Assert.False(applicant.TryGetProperty("idValidUntil", out _));
    }

    [Fact]
    public async Task ARejectedIdFrontShowsWhatWasReadMasked()
    {
        var productId = await api.CreateProductIdAsync();
        using var borrower = await api.CreateBorrowerClientAsync();
        var id = (await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid();

        var document = await borrower.UploadSampleAsync(id, "id_front", "id-front-name-mismatch");

        Assert.Equal("李*", document.GetProperty("extracted").GetProperty("name").GetString());
        Assert.Equal("1101**********0033", document.GetProperty("extracted").GetProperty("idNumber").GetString());
    }

    [Fact]
    public async Task AnApplicantOutsideTheProductsAgesIsRejected()
    {
        // 110101199003070011 is 35 on 2026-03-02.
        var productId = await api.CreateProductIdAsync(ageMin: 18, ageMax: 30);
        using var borrower = await api.CreateBorrowerClientAsync();
        var id = (await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid();

        var document = await borrower.UploadSampleAsync(id, "id_front", "id-front-valid");

        Assert.Equal("rejected", document.GetProperty("status").GetString());
        Assert.Equal(["age_out_of_range"], document.ErrorCodes());
    }

    [Fact]
    public async Task AGifIsRefusedWhateverItClaimsToBe()
    {
        var (borrower, id) = await NewDraftAsync();
        var gif = "GIF89a"u8.ToArray().Concat(new byte[200]).ToArray();

        var asPng = await borrower.UploadAsync(id, "id_front", gif, "photo.png", "image/png");
        var asGif = await borrower.UploadAsync(id, "id_front", gif, "photo.gif", "image/gif");
        var text = await borrower.UploadAsync(id, "id_front", "not an image at all"u8.ToArray(), "photo.jpg", "image/jpeg");

        await asPng.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_image_type");
        await asGif.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_image_type");
        await text.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_image_type");
        borrower.Dispose();
    }

    [Fact]
    public async Task APngNamedAndDeclaredAsJpegIsTakenForThePngItIs()
    {
        var (borrower, id) = await NewDraftAsync();

        var response = await borrower.UploadAsync(id, "id_front", Intake.Sample("id-front-valid"), "photo.jpg", "image/jpeg");

        await response.AssertStatusAsync(HttpStatusCode.Created);
        var document = await response.ReadJsonAsync();
        Assert.Equal("image/png", document.GetProperty("contentType").GetString());
        Assert.Equal("accepted", document.GetProperty("status").GetString());
        borrower.Dispose();
    }

    [Fact]
    public async Task AJpegIsTakenAndReadByOcr()
    {
        var (borrower, id) = await NewDraftAsync();
        var jpeg = new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 }.Concat(new byte[500]).ToArray();

        var document = await (await borrower.UploadAsync(id, "bank_card", jpeg, "card.jpg", "image/jpeg")).ReadJsonAsync();

        Assert.Equal("image/jpeg", document.GetProperty("contentType").GetString());
        Assert.Equal(["ocr_unreadable"], document.ErrorCodes()); // a JPEG without a card: read, but nothing recognised
        borrower.Dispose();
    }

    [Theory]
    [InlineData("ocr-quota", "id_front", 3600)]
    [InlineData("ocr-quota", "bank_card", 3600)]
    [InlineData("ocr-busy", "id_back", 5)]
    public async Task WhenWeChatOcrCannotServeTheServiceNothingIsRecordedAndTheUploadMayBeRetried(string marker, string kind, int retryAfterSeconds)
    {
        var (borrower, id) = await NewDraftAsync();
        byte[] image = [.. Intake.Sample("unreadable"), .. System.Text.Encoding.ASCII.GetBytes("hl-sandbox:" + marker)];

        var response = await borrower.UploadAsync(id, kind, image);

        await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "upstream_unavailable");
        Assert.Equal(TimeSpan.FromSeconds(retryAfterSeconds), response.Headers.RetryAfter?.Delta);
        var read = await (await borrower.GetAsync($"/v1/applications/{id}")).ReadJsonAsync();
        Assert.Empty(read.GetProperty("documents").EnumerateArray());
        borrower.Dispose();
    }

    [Fact]
    public async Task AnImageOneByteOverTwoMegabytesIsTooLarge()
    {
        var (borrower, id) = await NewDraftAsync();
        var image = new byte[(2 * 1024 * 1024) + 1];
        Intake.Sample("id-front-valid").AsSpan(0, 8).CopyTo(image);

        var response = await borrower.UploadAsync(id, "id_front", image);

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "image_too_large");
        var read = await (await borrower.GetAsync($"/v1/applications/{id}")).ReadJsonAsync();
        Assert.Empty(read.GetProperty("documents").EnumerateArray());
        borrower.Dispose();
    }

    [Fact]
    public async Task TheEleventhUploadIsOneTooMany()
    {
        var (borrower, id) = await NewDraftAsync();
        var unreadable = Intake.Sample("unreadable");
        for (var i = 0; i < 10; i++)
        {
            await (await borrower.UploadAsync(id, "id_front", unreadable)).AssertStatusAsync(HttpStatusCode.Created);
        }

        var eleventh = await borrower.UploadAsync(id, "id_front", Intake.Sample("id-front-valid"));

        await eleventh.AssertProblemAsync(HttpStatusCode.Conflict, "too_many_documents");
        borrower.Dispose();
    }

    [Fact]
    public async Task AFormWithoutKindOrFileNamesBoth()
    {
        var (borrower, id) = await NewDraftAsync();

        using var form = new MultipartFormDataContent { { new StringContent("passport"), "kind" }, { new StringContent("x"), "other" } };
        var response = await borrower.PostAsync($"/v1/applications/{id}/documents", form);

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal(["file", "kind"], problem.ErrorFields().Order(StringComparer.Ordinal));
        borrower.Dispose();
    }

    [Fact]
    public async Task AReplayedUploadIsRecordedOnce()
    {
        var (borrower, id) = await NewDraftAsync();
        var key = Guid.NewGuid().ToString();

        var first = await borrower.UploadAsync(id, "id_front", Intake.Sample("id-front-valid"), idempotencyKey: key);
        var replay = await borrower.UploadAsync(id, "id_front", Intake.Sample("id-front-valid"), idempotencyKey: key);

        await first.AssertStatusAsync(HttpStatusCode.Created);
        await replay.AssertStatusAsync(HttpStatusCode.Created);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        var read = await (await borrower.GetAsync($"/v1/applications/{id}")).ReadJsonAsync();
        Assert.Single(read.GetProperty("documents").EnumerateArray());
        borrower.Dispose();
    }

    private async Task<(HttpClient Borrower, Guid ApplicationId)> NewDraftAsync()
    {
        var productId = await api.CreateProductIdAsync();
        var borrower = await api.CreateBorrowerClientAsync();
        return (borrower, (await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid());
    }
}
