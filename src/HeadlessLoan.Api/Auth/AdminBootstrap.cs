using HeadlessLoan.Api.Staff;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Auth;

/// <summary>Creates the first admin from configuration when no staff exist yet; never touches a populated table.</summary>
public sealed partial class AdminBootstrap(StaffStore staff, IOptions<BootstrapOptions> options, ILogger<AdminBootstrap> logger)
{
    public async Task EnsureFirstAdminAsync(CancellationToken ct)
    {
        var o = options.Value;
        if (string.IsNullOrEmpty(o.AdminUsername) || string.IsNullOrEmpty(o.AdminPassword))
        {
            return;
        }

        if (await staff.CreateFirstAdminAsync(o.AdminUsername, o.AdminPassword, ct))
        {
            LogCreated(logger, o.AdminUsername);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Created the first admin account {Username} from configuration; change its password.")]
    private static partial void LogCreated(ILogger logger, string username);
}
