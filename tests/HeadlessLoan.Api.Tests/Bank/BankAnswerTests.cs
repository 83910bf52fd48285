using System.Net;
using HeadlessLoan.Api.Integrations.Bank;
using Microsoft.Extensions.Options;
using static HeadlessLoan.Api.Tests.Bank.BankTestSettings;

namespace HeadlessLoan.Api.Tests.Bank;

/// <summary>How the client takes answers the sandbox never gives: unsigned ones, foreign ones, and errors beyond the retries.</summary>
public sealed class BankAnswerTests
{
    private static readonly PayoutRequest Request = new("P-1", "6222020300000000426", "张三", 100, "放款");

    [Theory]
    [InlineData(HttpStatusCode.OK)]
    [InlineData(HttpStatusCode.Conflict)]
    [InlineData(HttpStatusCode.NotFound)]
    public async Task An_unsigned_answer_is_not_believed_whatever_it_says(HttpStatusCode status)
    {
        var client = Client(status, status == HttpStatusCode.OK ? Payout() : """{"code":"PAYOUT_NO_CONFLICT"}"""u8.ToArray(), signed: false);

        var e = await Assert.ThrowsAsync<BankUnavailableException>(() => client.SubmitAsync(Request, default));

        Assert.Contains(nameof(BankRefusal.SignatureMissing), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_signed_ten_minutes_ago_is_not_believed()
    {
        var client = Client(HttpStatusCode.OK, Payout(), signed: true, signedAt: DateTimeOffset.UtcNow.AddMinutes(-10));

        var e = await Assert.ThrowsAsync<BankUnavailableException>(() => client.QueryAsync("P1", default));

        Assert.Contains(nameof(BankRefusal.TimestampOutsideWindow), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signed_answer_for_another_payout_is_not_believed()
    {
        var client = Client(HttpStatusCode.OK, Payout("P-other"), signed: true);

        var e = await Assert.ThrowsAsync<BankUnavailableException>(() => client.SubmitAsync(Request, default));

        Assert.Contains("P-other, not P-1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signed_answer_in_a_state_we_do_not_know_is_not_understood()
    {
        var client = Client(HttpStatusCode.OK, Payout("P-1", "REVERSED"), signed: true);

        var e = await Assert.ThrowsAsync<BankUnavailableException>(() => client.SubmitAsync(Request, default));

        Assert.Contains("not a payout we understand", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    public async Task Throttling_and_server_errors_signed_or_not_are_unavailability(HttpStatusCode status)
    {
        foreach (var signed in new[] { true, false })
        {
            var client = Client(status, """{"code":"SYSTEM_BUSY"}"""u8.ToArray(), signed);

            var e = await Assert.ThrowsAsync<BankUnavailableException>(() => client.SubmitAsync(Request, default));

            Assert.Contains("SYSTEM_BUSY", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_signed_refusal_without_a_body_is_a_refusal_named_by_its_status()
    {
        var refused = await Assert.ThrowsAsync<BankRefusedException>(() => Client(HttpStatusCode.Forbidden, [], signed: true).SubmitAsync(Request, default));

        Assert.Equal((403, "HTTP_403"), (refused.StatusCode, refused.Code));
    }

    [Fact]
    public async Task A_404_to_a_submit_is_a_refusal_not_an_unknown_payout()
    {
        var client = Client(HttpStatusCode.NotFound, """{"code":"PAYOUT_NOT_FOUND"}"""u8.ToArray(), signed: true);

        var refused = await Assert.ThrowsAsync<BankRefusedException>(() => client.SubmitAsync(Request, default));

        Assert.Equal(BankErrorCodes.PayoutNotFound, refused.Code);
        Assert.Null(await client.QueryAsync("P-1", default));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-100)]
    public async Task A_payout_of_no_money_is_not_sent(long amount)
    {
        var handler = new Answering(HttpStatusCode.OK, Payout(), signed: true, signedAt: null);
        var client = Client(handler);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.SubmitAsync(Request with { Amount = amount }, default));

        Assert.Equal(0, handler.Calls);
    }

    private static BankPayoutClient Client(HttpStatusCode status, byte[] body, bool signed, DateTimeOffset? signedAt = null) =>
        Client(new Answering(status, body, signed, signedAt));

    private static BankPayoutClient Client(Answering handler) =>
        new(new HttpClient(handler) { BaseAddress = new Uri("http://127.0.0.1:1") }, new Monitor(), TimeProvider.System);

    private sealed class Answering(HttpStatusCode status, byte[] body, bool signed, DateTimeOffset? signedAt) : HttpMessageHandler
    {
        public int Calls { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Calls++;
            var response = new HttpResponseMessage(status) { Content = new ByteArrayContent(body) };
            if (signed)
            {
                var headers = Sign(body, signedAt ?? DateTimeOffset.UtcNow);
                response.Headers.Add(BankSignatureHeaders.TimestampHeader, headers.Timestamp);
                response.Headers.Add(BankSignatureHeaders.NonceHeader, headers.Nonce);
                response.Headers.Add(BankSignatureHeaders.SignatureHeader, headers.Signature);
            }

            return Task.FromResult(response);
        }
    }

    private sealed class Monitor : IOptionsMonitor<BankOptions>
    {
        public BankOptions CurrentValue { get; } = new()
        {
            BaseUrl = "http://127.0.0.1:1",
            MerchantId = MerchantId,
            ApiSecret = ApiSecret,
            CallbackSecret = CallbackSecret,
            NotifyUrl = "http://127.0.0.1:1/v1/webhooks/bank",
        };

        public BankOptions Get(string? name) => CurrentValue;

        public IDisposable? OnChange(Action<BankOptions, string?> listener) => null;
    }
}
