using System.Text.Json;

namespace HeadlessLoan.Client;

/// <summary>Hand-written part of the generated client: the JSON settings it uses.</summary>
public partial class HeadlessLoanClient
{
    // Called by the generated code when it builds its serializer options (generateUpdateJsonSerializerSettingsMethod: false).
    private static void UpdateJsonSerializerSettings(JsonSerializerOptions settings) => HeadlessLoanJson.Apply(settings);
}
