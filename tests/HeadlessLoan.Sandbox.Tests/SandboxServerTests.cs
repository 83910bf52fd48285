using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json;

namespace HeadlessLoan.Sandbox.Tests;

/// <summary>How the sandbox starts, binds and exposes its admin API.</summary>
public sealed class SandboxServerTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    [Fact]
    public void Listens_on_loopback_by_default()
    {
        // WireMock reports (and binds) a loopback URL as "localhost": 127.0.0.1 and ::1.
        var url = Assert.Single(sandbox.Server.Urls);
        Assert.Equal($"http://localhost:{sandbox.Port}", url);
    }

    [Fact]
    public async Task Is_not_reachable_through_a_non_loopback_address()
    {
        var outside = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        if (outside is null)
        {
            return; // A machine without a network address has nothing to expose.
        }

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        await Assert.ThrowsAsync<SocketException>(async () => await socket.ConnectAsync(outside, sandbox.Port));
    }

    [Fact]
    public void Loads_every_mapping_file_from_the_party_subfolders()
    {
        var files = Directory.GetFiles(SandboxFixture.MappingsDirectory, "*.json", SearchOption.AllDirectories);

        Assert.Contains(files, f => f.Contains($"{Path.DirectorySeparatorChar}wechat{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        Assert.Equal(files.Length + SandboxServer.CodeMappingCount, sandbox.Server.Mappings.Count(m => !m.IsAdminInterface));
    }

    [Fact]
    public async Task Admin_api_lists_the_mappings_and_the_requests_it_received()
    {
        using var probe = await sandbox.Client.GetAsync(new Uri("/cgi-bin/token?grant_type=client_credential&appid=wx_admin&secret=s", UriKind.Relative));

        using var mappings = JsonDocument.Parse(await sandbox.Client.GetStringAsync(new Uri("/__admin/mappings", UriKind.Relative)));
        using var requests = JsonDocument.Parse(await sandbox.Client.GetStringAsync(new Uri("/__admin/requests", UriKind.Relative)));

        Assert.Contains(mappings.RootElement.EnumerateArray(), m => m.GetProperty("Title").GetString()!.StartsWith("WeChat", StringComparison.Ordinal));
        Assert.Contains(requests.RootElement.EnumerateArray(), r => r.GetProperty("Request").GetProperty("Url").GetString()!.Contains("appid=wx_admin", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Admin_health_answers_healthy()
    {
        using var response = await sandbox.Client.GetAsync(new Uri("/__admin/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Unknown_path_gets_404()
    {
        using var response = await sandbox.Client.GetAsync(new Uri("/cgi-bin/no_such_api", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public void Missing_mappings_folder_fails_at_start()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-sandbox-mappings-{Guid.NewGuid():N}");

        Assert.Throws<DirectoryNotFoundException>(() => SandboxServer.Start(SandboxFixture.FreeLoopbackPort(), missing));
    }

    [Fact]
    public void Malformed_mapping_file_fails_at_start()
    {
        var folder = Directory.CreateTempSubdirectory("sandbox-mappings-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "broken.json"), "{ not json");

            Assert.ThrowsAny<Exception>(() => SandboxServer.Start(SandboxFixture.FreeLoopbackPort(), folder.FullName));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
