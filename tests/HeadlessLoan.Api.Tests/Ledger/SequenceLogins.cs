using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.Ledger;

/// <summary>
/// Signed-in clients by who they are, signed in again once half of a token's life (a day of the service's clock) has
/// gone by: sequences move the clock on by weeks.
/// </summary>
public sealed class SequenceLogins(ApiFactory api, string password) : IDisposable
{
    private readonly Dictionary<string, (HttpClient Client, DateTimeOffset At)> _clients = new(StringComparer.Ordinal);

    public Task<HttpClient> BorrowerAsync(string code) => GetAsync("borrower:" + code, () => api.CreateBorrowerClientAsync(code));

    public Task<HttpClient> StaffAsync(string username) => GetAsync("staff:" + username, () => api.CreateStaffClientAsync(username, password));

    private async Task<HttpClient> GetAsync(string who, Func<Task<HttpClient>> login)
    {
        var now = api.Clock.GetUtcNow();
        if (_clients.TryGetValue(who, out var held) && now - held.At < TimeSpan.FromHours(12))
        {
            return held.Client;
        }

        held.Client?.Dispose();
        var client = await login();
        _clients[who] = (client, now);
        return client;
    }

    public void Dispose()
    {
        foreach (var (client, _) in _clients.Values)
        {
            client.Dispose();
        }
    }
}
