using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.Applications;

/// <summary>The service with the decision pipeline switched off: applications stay where these tests put them.</summary>
public sealed class ApplicationsApiFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Pipeline:Enabled"] = "false",
    };
}

/// <summary>Sample images of the sandbox and the calls of the application flow.</summary>
public static class Intake
{
    public const string DeclaredName = "张三";

    public static byte[] Sample(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "samples", name + ".png"));

    /// <summary>
    /// The sample with the sandbox's numbered marker appended (<c>hl-sandbox:id-front-valid:42</c>): numbered applicant
    /// <paramref name="number"/>'s ID card or bank card, as docs/sandbox.md tells integrators to make them.
    /// </summary>
    public static byte[] NumberedSample(string name, int number) =>
        [.. Sample(name), .. System.Text.Encoding.ASCII.GetBytes($"hl-sandbox:{name}:{number.ToString(System.Globalization.CultureInfo.InvariantCulture)}")];

    public static Dictionary<string, object?> ValidApplication(Guid productId) => new()
    {
        ["productId"] = productId,
        ["amount"] = 500_000L,
        ["termMonths"] = 12,
        ["method"] = "equal_installment",
        ["purpose"] = "装修",
        ["declaredName"] = DeclaredName,
        ["declaredRegionCode"] = "110101",
        ["declaredAddress"] = "北京市东城区沙箱路1号",
    };

    public static async Task<Guid> CreateProductIdAsync(this ApiFactory api, int ageMin = 22, int ageMax = 55)
    {
        using var admin = await api.CreateAdminClientAsync();
        var product = TestHttp.ValidProduct();
        product["ageMin"] = ageMin;
        product["ageMax"] = ageMax;
        return (await admin.CreateProductAsync(product)).GetProperty("id").GetGuid();
    }

    public static async Task<JsonElement> CreateApplicationAsync(this HttpClient client, Guid productId, string? customerRef = null)
    {
        var body = ValidApplication(productId);
        if (customerRef is not null)
        {
            body["customerRef"] = customerRef;
        }

        var response = await client.PostAsJsonAsync("/v1/applications", body);
        await response.AssertStatusAsync(HttpStatusCode.Created);
        return await response.ReadJsonAsync();
    }

    public static Task<HttpResponseMessage> UploadAsync(
        this HttpClient client, Guid applicationId, string kind, byte[] image, string fileName = "photo.png", string contentType = "image/png",
        string? idempotencyKey = null)
    {
        var file = new ByteArrayContent(image);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        // Every attempt picks a boundary of its own, as real clients do: a retry is the same request all the same.
        var form = new MultipartFormDataContent();
        form.Add(new StringContent(kind), "kind");
        form.Add(file, "file", fileName);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/applications/{applicationId}/documents") { Content = form };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return client.SendAsync(request);
    }

    public static async Task<JsonElement> UploadSampleAsync(this HttpClient client, Guid applicationId, string kind, string sample)
    {
        var response = await client.UploadAsync(applicationId, kind, Sample(sample));
        await response.AssertStatusAsync(HttpStatusCode.Created);
        return await response.ReadJsonAsync();
    }

    public static Task<HttpResponseMessage> ConsentAsync(this HttpClient client, Guid applicationId) =>
        client.PostAsJsonAsync($"/v1/applications/{applicationId}/consents", new { purpose = "credit_bureau_query", textVersion = "2026-01" });

    /// <summary>POST …/submit, under <paramref name="idempotencyKey"/> when given.</summary>
    public static async Task<HttpResponseMessage> SubmitAsync(this HttpClient client, Guid applicationId, string? idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/applications/{applicationId}/submit");
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }

    /// <summary>The three accepted documents and the consent: ready to submit.</summary>
    public static async Task CompleteAsync(this HttpClient client, Guid applicationId)
    {
        Assert.Equal("accepted", (await client.UploadSampleAsync(applicationId, "id_front", "id-front-valid")).GetProperty("status").GetString());
        Assert.Equal("accepted", (await client.UploadSampleAsync(applicationId, "id_back", "id-back-valid")).GetProperty("status").GetString());
        Assert.Equal("accepted", (await client.UploadSampleAsync(applicationId, "bank_card", "card-valid")).GetProperty("status").GetString());
        await (await client.ConsentAsync(applicationId)).AssertStatusAsync(HttpStatusCode.Created);
    }

    /// <summary>A stored blob shows nothing of the image it holds: no PNG signature, chunks or sample text.</summary>
    public static void AssertIsNoImage(byte[] blob)
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        Assert.False(blob.AsSpan().IndexOf(png) >= 0, "the PNG signature is stored");
        Assert.False(blob.AsSpan().IndexOf("IHDR"u8) >= 0, "PNG chunks are stored");
        Assert.False(blob.AsSpan().IndexOf("hl-sandbox:"u8) >= 0, "the image's text is stored");
    }

    public static IReadOnlyList<string> ErrorCodes(this JsonElement document) =>
        document.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("code").GetString()!).ToList();
}
