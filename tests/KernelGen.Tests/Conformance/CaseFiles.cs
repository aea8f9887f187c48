using System;
using System.IO;
using System.Text;

namespace KernelGen.Tests.Conformance;

/// <summary>Where the cases are (tests/conformance, copied next to the test assembly) and small cases written inline.</summary>
internal static class CaseFiles
{
    /// <summary>The copy of tests/conformance in the output directory.</summary>
    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "conformance");

    /// <summary>A case file from the copied folders, e.g. <c>Torch("sgd-plain")</c>.</summary>
    public static string Torch(string name) => Path.Combine(Root, "torch", name + ".json");

    /// <summary>A case file from the copied pytorch_optimizer folder, e.g. <c>PytorchOptimizer("lion")</c>.</summary>
    public static string PytorchOptimizer(string name) => Path.Combine(Root, "pytorch_optimizer", name + ".json");

    /// <summary>A folder of the data recorded in this repository, e.g. <c>Recorded("pytorch_optimizer", "options")</c> (tests/conformance/recorded).</summary>
    public static string Recorded(string library, string folder) => Path.Combine(Root, "recorded", library, folder);

    /// <summary>
    /// A one-tensor, one-step SGD case (lr 0.5, p = [1, 2], g = [0.5, -1], expected [0.75, 2.5]),
    /// with <paramref name="extra"/> JSON members spliced in (e.g. a scheduler).
    /// </summary>
    public static string TinySgd(string extra = "", string hyper = "{\"lr\":0.5}")
    {
        var json = new StringBuilder();
        json.Append("{\"format\":\"kernelgen-conformance/1\",\"kind\":\"optimizer\",\"name\":\"tiny\",\"optimizer\":\"SGD\",");
        json.Append("\"hyper\":").Append(hyper).Append(',');
        json.Append("\"steps\":1,\"params\":[[1,2]],\"grads\":[[[0.5,-1]]],\"expected\":[[[0.75,2.5]]]");
        if (extra.Length > 0)
        {
            json.Append(',').Append(extra);
        }

        return json.Append('}').ToString();
    }
}
