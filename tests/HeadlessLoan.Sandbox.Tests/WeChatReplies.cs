using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HeadlessLoan.Sandbox.Tests;

/// <summary>The access-token reply as WeChat sends it: a token, or errcode/errmsg — always with HTTP 200.</summary>
public sealed record WeChatTokenReply(
    [property: JsonPropertyName("access_token")] string? AccessToken,
    [property: JsonPropertyName("expires_in")] int? ExpiresIn,
    [property: JsonPropertyName("errcode")] int? ErrCode,
    [property: JsonPropertyName("errmsg")] string? ErrMsg)
{
    public static async Task<WeChatTokenReply> ReadAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var reply = await response.Content.ReadFromJsonAsync<WeChatTokenReply>(JsonSerializerOptions.Default);
        return Assert.IsType<WeChatTokenReply>(reply);
    }

    public string AssertToken()
    {
        Assert.Null(ErrCode);
        Assert.Equal(7200, ExpiresIn);
        Assert.NotNull(AccessToken);
        Assert.StartsWith("sandbox_", AccessToken, StringComparison.Ordinal);
        return AccessToken;
    }

    public void AssertError(int expectedErrCode, string expectedMessageStart)
    {
        Assert.Null(AccessToken);
        Assert.Equal(expectedErrCode, ErrCode);
        Assert.NotNull(ErrMsg);
        Assert.StartsWith(expectedMessageStart, ErrMsg, StringComparison.Ordinal);
        // WeChat ends every errmsg with a request id; so does the sandbox.
        Assert.Contains(" rid: ", ErrMsg, StringComparison.Ordinal);
    }
}
