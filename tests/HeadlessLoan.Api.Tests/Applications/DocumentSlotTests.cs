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

        // The application row is held, so every upload is past its checks and waiting at the same moment.
        await using var db = await api.OpenDatabaseAsync();
        await using var hold = await db.BeginTransactionAsync();
        await db.ExecuteAsync("SELECT id FROM applications WHERE id = @id FOR UPDATE", new { id = id.ToString() }, hold);
        var uploads = Enumerable.Range(0, 8).Select(_ => borrower.UploadAsync(id, "id_back", Intake.Sample("id-back-valid"))).ToList();
        await WaitForLockWaitsAsync(8, () => Task.WhenAll(uploads).IsCompleted);
        await hold.RollbackAsync();

        var statuses = (await Task.WhenAll(uploads)).Select(u => u.StatusCode).ToList();
        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.Conflict));
        Assert.Equal(3, OcrCalls() - ocrCallsBefore);
    }

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

    private int OcrCalls() => api.Sandbox.Server.LogEntries.Count(e => e.RequestMessage.Path.StartsWith("/cv/ocr/", StringComparison.Ordinal));

    private async Task WaitForLockWaitsAsync(int count, Func<bool> finished)
    {
        await using var watch = await api.OpenDatabaseAsync();
        for (var i = 0; i < 500 && !finished(); i++)
        {
            if (await watch.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'") >= count)
            {
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail($"{count} uploads never waited together for the application row.");
    }
}
