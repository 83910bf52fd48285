using HeadlessLoan.Api.Integrations.Aliyun;
using HeadlessLoan.Api.Platform;

namespace HeadlessLoan.Api.Features.Reminders;

/// <summary>Reminders: the daily plan of each loan's tiers, the sender that holds them to the contact rules, a loan's reminders for staff, and the templates and policies admins tune.</summary>
public static class RemindersFeature
{
    public static WebApplicationBuilder AddReminders(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ReminderSettings>();
        // Reminders go out through the SMS and voice provider: without its settings none are planned or sent.
        if (!builder.Configuration.GetSection(AliyunOptions.Section).Exists())
        {
            return builder;
        }

        builder.Services.AddOptions<ReminderOptions>().BindConfiguration(ReminderOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ReminderChannels>();
        builder.Services.AddSingleton<ReminderPlanner>();
        builder.Services.AddSingleton<ReminderSender>();
        if (builder.Configuration.GetValue(ReminderOptions.Section + ":" + nameof(ReminderOptions.Enabled), true))
        {
            builder.Services.AddBackgroundWorker<ReminderPlanner>(builder.Configuration);
            builder.Services.AddBackgroundWorker<ReminderSender>(builder.Configuration);
        }

        return builder;
    }

    public static IEndpointRouteBuilder MapReminders(this IEndpointRouteBuilder app) => app.MapRemindersApi().MapReminderAdminApi();
}
