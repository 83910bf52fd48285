using System.Net;
using System.Text;
using HeadlessLoan.Api.Integrations.WeChatPay;
using static HeadlessLoan.Api.Tests.WeChatPay.WeChatPayTestKeys;

namespace HeadlessLoan.Api.Tests.WeChatPay;

/// <summary>How the client takes answers the sandbox never gives: unsigned ones, and errors beyond the retries.</summary>
public sealed class WeChatPayAnswerTests
{
    [Fact]
    public async Task An_unsigned_success_is_not_believed()
    {
        var client = Client(HttpStatusCode.OK, """{"prepay_id":"wx_forged"}""", signed: false);

        var e = await Assert.ThrowsAsync<WeChatPayUnavailableException>(() => client.QueryByOutTradeNoAsync("T-0001", default));

        Assert.Contains(nameof(WeChatPayRefusal.SignatureMissing), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unsigned_refusal_is_the_refusal_it_says_but_a_badly_signed_one_is_not_believed()
    {
        var unsigned = await Client(HttpStatusCode.BadRequest, """{"code":"PARAM_ERROR","message":"bad"}""", signed: false)
            .QueryByOutTradeNoAsync("T-0001", default);
        Assert.Equal((400, WeChatPayErrorCodes.ParamError, "bad"), (unsigned.StatusCode, unsigned.Error!.Code, unsigned.Error.Message));

        var badlySigned = Client(HttpStatusCode.BadRequest, """{"code":"PARAM_ERROR","message":"bad"}""", signed: true, tamper: true);
        await Assert.ThrowsAsync<WeChatPayUnavailableException>(() => badlySigned.QueryByOutTradeNoAsync("T-0001", default));
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests, "FREQUENCY_LIMITED")]
    [InlineData(HttpStatusCode.InternalServerError, "SYSTEM_ERROR")]
    public async Task Throttling_and_server_errors_are_unavailability_with_wechat_pays_code(HttpStatusCode status, string code)
    {
        var client = Client(status, $$"""{"code":"{{code}}","message":"retry"}""", signed: true);

        var e = await Assert.ThrowsAsync<WeChatPayUnavailableException>(() => client.RefundAsync(new CreateRefundDomesticRefundRequest
        {
            OutTradeNumber = "T-0001", OutRefundNumber = "R-0001", RefundFen = 1, TotalFen = 1,
        }, default));

        Assert.Equal(code, e.ErrorCode);
    }

    private static WeChatPayClient Client(HttpStatusCode status, string body, bool signed, bool tamper = false) =>
        new(new HttpClient(new Answering(status, body, signed, tamper)) { BaseAddress = new Uri("http://127.0.0.1:1") },
            new FixedKeyRing(Keys()).Ring, TimeProvider.System);

    private sealed class Answering(HttpStatusCode status, string body, bool signed, bool tamper) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            var response = new HttpResponseMessage(status) { Content = new ByteArrayContent(bytes) };
            if (signed)
            {
                var headers = Sign(tamper ? [.. bytes, (byte)' '] : bytes, DateTimeOffset.UtcNow, PlatformSerial);
                response.Headers.Add(WeChatPaySignatureHeaders.TimestampHeader, headers.Timestamp);
                response.Headers.Add(WeChatPaySignatureHeaders.NonceHeader, headers.Nonce);
                response.Headers.Add(WeChatPaySignatureHeaders.SignatureHeader, headers.Signature);
                response.Headers.Add(WeChatPaySignatureHeaders.SerialHeader, headers.Serial);
            }

            return Task.FromResult(response);
        }
    }
}
