using System.Net;
using Dapper;
using HeadlessLoan.Api.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace HeadlessLoan.Api.Tests.Applications;

public sealed class ThreeDocumentsApiFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Pipeline:Enabled"] = "false",
        ["Applications:MaxDocuments"] = "3",
    };
}

/// <summary>Each upload takes a slot before its OCR call is paid for: uploads arriving together never cost more calls than there are slots.</summary>
public sealed class DocumentSlotTests(ThreeDocumentsApiFactory api) : IClassFixture<ThreeDocumentsApiFactory>
{
    [Fact]
    public async Task EightUploadsArrivingTogetherCostThreeOcrCalls()
    {
        var productId = await api.CreateProductIdAsync();
        using var borrower = await api.CreateBorrowerClientAsync();
        var id = (await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid();
        var ocrCallsBefore = OcrCalls();

        // All at once: each takes a slot before it reads the image, so at most three are read.
        var uploads = Enumerable.Range(0, 8).Select(_ => borrower.UploadAsync(id, "id_back", Intake.Sample("id-back-valid"))).ToList();

        var statuses = (await Task.WhenAll(uploads)).Select(u => u.StatusCode).ToList();
        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.Conflict));
        Assert.Equal(3, OcrCalls() - ocrCallsBefore);
    }

    private int OcrCalls() => api.Sandbox.Server.LogEntries.Count(e => e.RequestMessage.Path.StartsWith("/cv/ocr/", StringComparison.Ordinal));
}

/// <summary>Its own service: the failures it provokes may open the WeChat circuit, which must not reach other tests.</summary>
public sealed class DocumentSlotGivenBackTests(ThreeDocumentsApiFactory api) : IClassFixture<ThreeDocumentsApiFactory>
{
    [Fact]
    public async Task AnUploadWhoseOcrFailsGivesItsSlotBack()
    {
        var productId = await api.CreateProductIdAsync();
        using var borrower = await api.CreateBorrowerClientAsync();
        var id = (await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid();
        // WeChat answers every OCR call with a system error for a while.
        var failing = Guid.NewGuid();
        api.Sandbox.Server.Given(Request.Create().WithPath("/cv/ocr/idcard").UsingPost()).AtPriority(-1000).WithGuid(failing)
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { errcode = -1, errmsg = "system error" }));
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var failed = await borrower.UploadAsync(id, "id_back", Intake.Sample("id-back-valid"));
                Assert.True((int)failed.StatusCode >= 500, $"got {failed.StatusCode}");
            }
        }
        finally
        {
            api.Sandbox.Server.DeleteMapping(failing);
        }

        for (var i = 0; i < 3; i++)
        {
            await (await borrower.UploadAsync(id, "id_back", Intake.Sample("id-back-valid"))).AssertStatusAsync(HttpStatusCode.Created);
        }

        await (await borrower.UploadAsync(id, "id_back", Intake.Sample("id-back-valid"))).AssertProblemAsync(HttpStatusCode.Conflict, "too_many_documents");
    }
}
