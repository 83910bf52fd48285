using System.Net;
using System.Text.Json;

namespace HeadlessLoan.Sandbox.Tests;

/// <summary>Reads a WeChat business-API reply (HTTP 200 always) and checks its errcode.</summary>
public static class WeChatJson
{
    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public static void AssertError(JsonElement reply, int expectedErrCode, string expectedMessageStart)
    {
        Assert.Equal(expectedErrCode, reply.GetProperty("errcode").GetInt32());
        var message = reply.GetProperty("errmsg").GetString();
        Assert.NotNull(message);
        Assert.StartsWith(expectedMessageStart, message, StringComparison.Ordinal);
        Assert.Contains(" rid: ", message, StringComparison.Ordinal);
    }

    public static void AssertOk(JsonElement reply)
    {
        Assert.Equal(0, reply.GetProperty("errcode").GetInt32());
        Assert.Equal("ok", reply.GetProperty("errmsg").GetString());
    }

    public static string String(JsonElement reply, string name)
    {
        var property = reply.GetProperty(name);
        Assert.Equal(JsonValueKind.String, property.ValueKind);
        return property.GetString()!;
    }
}
