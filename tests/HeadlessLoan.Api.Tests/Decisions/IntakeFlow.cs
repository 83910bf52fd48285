using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HeadlessLoan.Api.Tests.Applications;
using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.Decisions;

/// <summary>Drives a borrower through intake (login, create, three sample documents, consent, submit) over HTTP.</summary>
public static class IntakeFlow
{
    public static async Task<Guid> CreateProductAsync(ApiFactory api, long autoApprovalLimit = 2_000_000)
    {
        using var admin = await api.CreateAdminClientAsync();
        var product = TestHttp.ValidProduct();
        product["ageMin"] = 18;
        product["ageMax"] = 65;
        product["autoApprovalLimit"] = autoApprovalLimit;
        var response = await admin.PostAsJsonAsync("/v1/products", product);
        await response.AssertStatusAsync(HttpStatusCode.Created);
        return (await response.ReadJsonAsync()).GetProperty("id").GetGuid();
    }

    /// <summary>
    /// Creates and fills a draft; returns the borrower's client and the application id. With <paramref name="applicant"/>,
    /// the ID card front and the bank card are the sandbox's numbered applicant's (an identity and card of their own).
    /// With <paramref name="borrower"/>, that borrower applies again; otherwise a new borrower signs in.
    /// </summary>
    public static async Task<(HttpClient Client, Guid Id)> DraftAsync(
        ApiFactory api, Guid productId, string idFront = "id-front-valid", long amount = 1_000_000, string? fingerprint = null, string region = "110101",
        int? applicant = null, HttpClient? borrower = null, int termMonths = 12, string method = "equal_installment")
    {
        var client = borrower ?? await api.CreateBorrowerClientAsync();
        using var create = new HttpRequestMessage(HttpMethod.Post, "/v1/applications")
        {
            Content = JsonContent.Create(new
            {
                productId,
                amount,
                termMonths,
                method,
                purpose = "家庭消费",
                declaredName = "张三",
                declaredRegionCode = region,
                declaredAddress = "北京市东城区沙箱路1号",
            }),
        };
        if (fingerprint is not null)
        {
            create.Headers.Add("X-Device-Fingerprint", fingerprint);
        }

        var created = await client.SendAsync(create);
        await created.AssertStatusAsync(HttpStatusCode.Created);
        var id = (await created.ReadJsonAsync()).GetProperty("id").GetGuid();
        if (applicant is { } number)
        {
            await UploadAcceptedAsync(client, id, "id_front", Intake.NumberedSample("id-front-valid", number));
            await client.UploadSampleAsync(id, "id_back", "id-back-valid");
            await UploadAcceptedAsync(client, id, "bank_card", Intake.NumberedSample("card-valid", number));
        }
        else
        {
            await client.UploadSampleAsync(id, "id_front", idFront);
            await client.UploadSampleAsync(id, "id_back", "id-back-valid");
            await client.UploadSampleAsync(id, "bank_card", "card-valid");
        }
        await (await client.ConsentAsync(id)).AssertStatusAsync(HttpStatusCode.Created);
        return (client, id);
    }

    private static async Task UploadAcceptedAsync(HttpClient client, Guid id, string kind, byte[] image)
    {
        var uploaded = await client.UploadAsync(id, kind, image);
        await uploaded.AssertStatusAsync(HttpStatusCode.Created);
        Assert.Equal("accepted", (await uploaded.ReadJsonAsync()).GetProperty("status").GetString());
    }

    public static async Task SubmitAsync(HttpClient client, Guid id)
    {
        var submitted = await client.PostAsync($"/v1/applications/{id}/submit", null);
        Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());
    }

    /// <summary>Polls the application until the pipeline has decided it (real time; the pipeline runs in the background).</summary>
    public static async Task<JsonElement> DecidedAsync(HttpClient client, Guid id, TimeSpan? patience = null)
    {
        var deadline = DateTime.UtcNow + (patience ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var application = await (await client.GetAsync($"/v1/applications/{id}")).ReadJsonAsync();
            if (application.GetProperty("status").GetString() is not ("submitted" or "draft"))
            {
                return application;
            }

            Assert.True(DateTime.UtcNow < deadline, $"application {id} was not decided in time");
            await Task.Delay(50);
        }
    }

    public static IReadOnlyList<string> ReasonCodes(this JsonElement application) =>
        application.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()!).ToList();
}
