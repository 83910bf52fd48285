using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.Decisions;

/// <summary>Drives a borrower through intake (login, create, three sample documents, consent, submit) over HTTP.</summary>
public static class IntakeFlow
{
    public static string SamplePath(string name)
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "samples", name + ".png");
        return File.Exists(beside) ? beside : Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "HeadlessLoan.Sandbox", "samples", name + ".png");
    }

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

    /// <summary>Creates and fills a draft; returns the borrower's client and the application id.</summary>
    public static async Task<(HttpClient Client, Guid Id)> DraftAsync(
        ApiFactory api, Guid productId, string idFront = "id-front-valid", long amount = 1_000_000, string? fingerprint = null, string region = "110101")
    {
        var client = await api.CreateBorrowerClientAsync();
        using var create = new HttpRequestMessage(HttpMethod.Post, "/v1/applications")
        {
            Content = JsonContent.Create(new
            {
                productId,
                amount,
                termMonths = 12,
                method = "equal_installment",
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
        foreach (var (kind, sample) in new[] { ("id_front", idFront), ("id_back", "id-back-valid"), ("bank_card", "card-valid") })
        {
            using var form = new MultipartFormDataContent { { new StringContent(kind), "kind" } };
            var file = new ByteArrayContent(await File.ReadAllBytesAsync(SamplePath(sample)));
            file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(file, "file", sample + ".png");
            var uploaded = await client.PostAsync($"/v1/applications/{id}/documents", form);
            Assert.True(uploaded.IsSuccessStatusCode, await uploaded.Content.ReadAsStringAsync());
        }

        await (await client.PostAsJsonAsync($"/v1/applications/{id}/consents", new { purpose = "credit_bureau_query", textVersion = "2026-01" }))
            .AssertStatusAsync(HttpStatusCode.Created);
        return (client, id);
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
