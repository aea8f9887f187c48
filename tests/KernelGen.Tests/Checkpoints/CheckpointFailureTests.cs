using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;
using static KernelGen.Tests.Checkpoints.CheckpointFixtures;

namespace KernelGen.Tests.Checkpoints;

/// <summary>Every refusal leaves the target exactly as it was (<see cref="CheckpointFixtures.Refused"/> checks it).</summary>
public class CheckpointMismatchTests
{
    [Fact]
    public void AnotherOptimizerTypeIsRefused()
    {
        byte[] bytes = SavedSgd(out _);
        var adam = new Adam();
        Register(adam, new[] { 3, 2 });
        var error = Refused(adam, bytes, CheckpointError.Mismatch);
        Assert.Contains("KernelGen.SGD", error.Message);
        Assert.Contains("'state.0.exp_avg' is missing", error.Message);
        Assert.Contains("'state.0.momentum_buffer', which the target does not", error.Message);
    }

    [Fact]
    public void OtherTensorCountsAndLengthsAreRefused()
    {
        byte[] bytes = SavedSgd(out _);
        var more = new SGD();
        Register(more, new[] { 3, 2, 4 });
        Assert.Contains("'state.2.momentum_buffer' is missing", Refused(more, bytes, CheckpointError.Mismatch).Message);

        var longer = new SGD();
        Register(longer, new[] { 3, 5 });
        Assert.Contains("'state.1.momentum_buffer' is F32 [2] in the checkpoint but F32 [5] in the target", Refused(longer, bytes, CheckpointError.Mismatch).Message);
    }

    [Fact]
    public void AnotherGroupCountIsRefused()
    {
        byte[] bytes = SavedSgd(out _);
        var first = new SGD();
        var second = new SGD();
        Register(first, new[] { 3 });
        Register(second, new[] { 2 });
        var groups = new ParameterGroups(first, second);
        Snapshot before = Snapshot.Of(first);
        var error = Assert.Throws<CheckpointException>(() => Checkpoint.Load(groups, new MemoryStream(bytes)));
        Assert.Equal(CheckpointError.Mismatch, error.Error);
        Assert.Contains("1 parameter group(s), the target 2", error.Message);
        Assert.Equal(before, Snapshot.Of(first));
    }

    [Fact]
    public void AnotherDtypeIsRefused()
    {
        SafetensorsSpec file = SafetensorsSpec.Read(SavedSgd(out _));
        file.Tensors["state.0.step"] = file.Tensors["state.0.step"] with { DType = "F64" };
        var target = new SGD();
        Register(target, new[] { 3, 2 });
        Assert.Contains("'state.0.step' is F64 [] in the checkpoint but I64 [] in the target", Refused(target, file.Write(), CheckpointError.Mismatch).Message);
    }

    [Fact]
    public void ParametersAskedForButNotSavedAreRefused()
    {
        byte[] bytes = SavedSgd(out _);
        var target = new SGD();
        Register(target, new[] { 3, 2 });
        var error = Refused(target, bytes, CheckpointError.Mismatch, new CheckpointOptions { IncludeParameters = true });
        Assert.Contains("no parameter values", error.Message);
        Assert.Contains("'param.0' is missing", error.Message);
    }

    [Fact]
    public void MissingAndUnexpectedParticipantsAreRefused()
    {
        var options = new CheckpointOptions();
        options.Participants["scheduler"] = new CheckpointRoundTripTests.CounterState { Epoch = 3 };
        var sgd = new SGD();
        Register(sgd, new[] { 2 });
        byte[] withScheduler = Save(sgd, options);
        byte[] without = Save(sgd);

        Assert.Contains("participant 'scheduler', which was not given", Refused(sgd, withScheduler, CheckpointError.Mismatch).Message);
        var waiting = new CheckpointRoundTripTests.CounterState { Epoch = 1 };
        var loadOptions = new CheckpointOptions();
        loadOptions.Participants["scheduler"] = waiting;
        Assert.Contains("no state for the participant 'scheduler'", Refused(sgd, without, CheckpointError.Mismatch, loadOptions).Message);
        Assert.Equal(1, waiting.Epoch);
    }

    [Fact]
    public void HyperparameterNamesMustMatch()
    {
        SafetensorsSpec file = SafetensorsSpec.Read(SavedSgd(out _));
        file.Metadata["groups.0.hyperparameters.Momentun"] = file.Metadata["groups.0.hyperparameters.Momentum"];
        file.Metadata.Remove("groups.0.hyperparameters.Momentum");
        var target = new SGD();
        Register(target, new[] { 3, 2 });
        var error = Refused(target, file.Write(), CheckpointError.Mismatch);
        Assert.Contains("no value for the hyper-parameter Momentum", error.Message);
        Assert.Contains("hyper-parameter Momentun, which SGD does not", error.Message);
    }

    [Theory]
    [InlineData("format_version", "2", "format version '2'")]
    [InlineData("format", "someone.else", "not a KernelGen optimizer checkpoint")]
    public void OtherFormatsAndVersionsAreRefused(string key, string value, string message)
    {
        SafetensorsSpec file = SafetensorsSpec.Read(SavedSgd(out _));
        file.Metadata[key] = value;
        var target = new SGD();
        Register(target, new[] { 3, 2 });
        Assert.Contains(message, Refused(target, file.Write(), CheckpointError.UnsupportedFormat).Message);
    }

    [Fact]
    public void APlainSafetensorsFileIsNotACheckpoint()
    {
        byte[] file = SafetensorsSpec.Assemble("{\"weight\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
        var target = new SGD();
        Register(target, new[] { 1 });
        Refused(target, file, CheckpointError.UnsupportedFormat);
    }
}

/// <summary>Damaged files: truncated anywhere, any single bit flipped, bytes after the end.</summary>
public class CheckpointDamageTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EveryTruncationIsDetected(bool seekable)
    {
        byte[] bytes = SavedSgd(out _);
        var target = new SGD();
        Register(target, new[] { 3, 2 });
        for (int length = 0; length < bytes.Length; length++)
        {
            Refused(target, bytes.AsSpan(0, length).ToArray(), CheckpointError.Truncated, seekable: seekable);
        }
    }

    [Fact]
    public void EverySingleBitFlipIsDetected()
    {
        byte[] bytes = SavedSgd(out _);
        var target = new SGD();
        Register(target, new[] { 3, 2 });
        Snapshot before = Snapshot.Of(target);
        var kinds = new HashSet<CheckpointError>();
        for (int bit = 0; bit < bytes.Length * 8; bit++)
        {
            byte[] damaged = (byte[])bytes.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));
            var error = Assert.Throws<CheckpointException>(() => Checkpoint.Load(target, new MemoryStream(damaged)));
            kinds.Add(error.Error);
        }

        Assert.Equal(before, Snapshot.Of(target));
        // The data and most of the header are guarded by the checksum alone.
        Assert.Contains(CheckpointError.Corrupt, kinds);
    }

    [Fact]
    public void AFlippedDataBitIsReportedAsCorruption()
    {
        byte[] bytes = SavedSgd(out _);
        bytes[^3] ^= 0x10;
        var target = new SGD();
        Register(target, new[] { 3, 2 });
        Assert.Contains("checksum", Refused(target, bytes, CheckpointError.Corrupt).Message);
    }

    [Fact]
    public void BytesAfterTheCheckpointInAFileAreRefused()
    {
        byte[] bytes = SavedSgd(out _);
        using var folder = new TempFolder();
        string file = folder.File("trailing.safetensors");
        File.WriteAllBytes(file, bytes.Concat(new byte[] { 0 }).ToArray());
        var target = new SGD();
        Register(target, new[] { 3, 2 });
        var error = Assert.Throws<CheckpointException>(() => Checkpoint.LoadFile(target, file));
        Assert.Equal(CheckpointError.Corrupt, error.Error);
        Assert.Contains("1 bytes follow", error.Message);

        File.WriteAllBytes(file, bytes.AsSpan(0, bytes.Length - 1).ToArray());
        Assert.Equal(CheckpointError.Truncated, Assert.Throws<CheckpointException>(() => Checkpoint.LoadFile(target, file)).Error);
    }
}

/// <summary>Headers built to hurt: refused from the header alone, without reading past the data or allocating what the file does not hold.</summary>
public class CheckpointHostileHeaderTests
{
    private const string Metadata = "\"__metadata__\":{\"format\":\"kernelgen.optimizer\",\"format_version\":\"1\",\"checksum\":\"crc32c:00000000\"}";

    private static SGD Target()
    {
        var sgd = new SGD();
        Register(sgd, new[] { 3 });
        return sgd;
    }

    private static string Tensor(string name, string dtype, string shape, string offsets) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{shape}],\"data_offsets\":[{offsets}]}}";

    public static TheoryData<string, string, int> MalformedHeaders() => new()
    {
        { "overlapping tensors", "{" + Metadata + "," + Tensor("a", "F32", "3", "0,12") + "," + Tensor("b", "F32", "3", "8,20") + "}", 20 },
        { "a gap between tensors", "{" + Metadata + "," + Tensor("a", "F32", "1", "0,4") + "," + Tensor("b", "F32", "1", "8,12") + "}", 12 },
        { "offsets that run backwards", "{" + Metadata + "," + Tensor("a", "F32", "0", "8,4") + "}", 8 },
        { "a shape that does not fit the bytes", "{" + Metadata + "," + Tensor("a", "F32", "4", "0,12") + "}", 12 },
        { "a shape whose product overflows", "{" + Metadata + "," + Tensor("a", "F32", "4294967296,4294967296", "0,0") + "}", 0 },
        { "a negative dimension", "{" + Metadata + "," + Tensor("a", "F32", "-1", "0,0") + "}", 0 },
        { "a fractional offset", "{" + Metadata + "," + Tensor("a", "F32", "1", "0,4.5") + "}", 4 },
        { "an unknown dtype", "{" + Metadata + "," + Tensor("a", "F33", "1", "0,4") + "}", 4 },
        { "three offsets", "{" + Metadata + "," + Tensor("a", "F32", "1", "0,4,8") + "}", 8 },
        { "a duplicate tensor", "{" + Metadata + "," + Tensor("a", "F32", "1", "0,4") + "," + Tensor("a", "F32", "1", "4,8") + "}", 8 },
        { "a duplicate metadata key", "{\"__metadata__\":{\"format\":\"a\",\"format\":\"b\"}}", 0 },
        { "a duplicate field", "{" + Metadata + ",\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4 },
        { "an unknown field", "{" + Metadata + ",\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", 4 },
        { "a missing field", "{" + Metadata + ",\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 0 },
        { "a non-string metadata value", "{\"__metadata__\":{\"format\":1}}", 0 },
        { "deep nesting", new string('[', 100_000) + new string(']', 100_000), 0 },
        { "deep nesting inside", "{\"__metadata__\":{\"format\":" + new string('[', 1000) + new string(']', 1000) + "}}", 0 },
        { "not JSON", "not json at all", 0 },
        { "a truncated object", "{\"__metadata__\":{", 0 },
        { "two objects", "{}{}", 0 },
        { "an empty header", "", 0 },
    };

    [Theory]
    [MemberData(nameof(MalformedHeaders))]
    public void MalformedHeadersAreRefused(string what, string header, int dataLength)
    {
        byte[] file = SafetensorsSpec.Assemble(header, new byte[dataLength]);
        Assert.True(what.Length > 0);
        Refused(Target(), file, CheckpointError.MalformedHeader);
        Refused(Target(), file, CheckpointError.MalformedHeader, seekable: false);
    }

    [Fact]
    public void InvalidUtf8IsRefused()
    {
        byte[] header = Encoding.UTF8.GetBytes("{\"__metadata__\":{\"format\":\"xx\"}}");
        header[header.Length - 4] = 0xFF;
        Refused(Target(), SafetensorsSpec.Assemble(header, Array.Empty<byte>()), CheckpointError.MalformedHeader);
    }

    [Theory]
    [InlineData(ulong.MaxValue)]
    [InlineData(1UL << 40)]
    [InlineData(100_000_001UL)]
    public void HugeHeaderLengthsAreRefusedBeforeAllocating(ulong declared)
    {
        byte[] file = SafetensorsSpec.Assemble("{}", Array.Empty<byte>(), declared);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Refused(Target(), file, CheckpointError.MalformedHeader, seekable: false);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
    }

    [Fact]
    public void AHeaderLongerThanTheStreamAllocatesOnlyWhatArrives()
    {
        // Within the 100 MB limit, so only the stream's end shows the lie: a pipe is read as it
        // delivers, the buffer growing with the bytes that came, not with the claim.
        byte[] file = SafetensorsSpec.Assemble("{\"__metadata__\":{}}", new byte[5000], declaredLength: 99_000_000);
        SGD target = Target();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Refused(target, file, CheckpointError.Truncated, seekable: false);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Refused(target, file, CheckpointError.Truncated);
    }

    [Fact]
    public void OffsetsOutsideTheFileAreRefusedWithoutReadingPastIt()
    {
        const long claimed = 1L << 40; // a terabyte of momentum for a 3-element tensor
        string header = "{" + Metadata + "," + Tensor("state.0.momentum_buffer", "F32", (claimed / 4).ToString(), $"0,{claimed}") + "," + Tensor("state.0.step", "I64", "", $"{claimed},{claimed + 8}") + "}";
        byte[] file = SafetensorsSpec.Assemble(header, new byte[64]);
        SGD target = Target();

        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Contains("declares 1099511627784 bytes of data", Refused(target, file, CheckpointError.Truncated).Message);
        var pipe = new ForwardOnlyStream(file);
        Assert.Throws<CheckpointException>(() => Checkpoint.Load(target, pipe));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Equal(file.Length, pipe.BytesRead);
    }
}

/// <summary>Sound, fitting checkpoints with values the target refuses: nothing is applied.</summary>
public class CheckpointValueTests
{
    [Fact]
    public void AStepCountOutOfRangeIsRefused()
    {
        SafetensorsSpec file = SafetensorsSpec.Read(SavedSgd(out _));
        byte[] step = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(step, -1);
        file.Tensors["state.1.step"] = file.Tensors["state.1.step"] with { Data = step };
        var target = new SGD();
        Register(target, new[] { 3, 2 });
        Assert.Contains("'state.1.step' is -1", Refused(target, file.Write(), CheckpointError.InvalidValue).Message);
    }

    [Theory]
    [InlineData("LearningRate", "-0.5")]
    [InlineData("Nesterov", "1")]
    [InlineData("Maximize", "0.5")]
    [InlineData("Momentum", "fast")]
    public void RefusedHyperparametersChangeNothing(string name, string value)
    {
        SafetensorsSpec file = SafetensorsSpec.Read(SavedSgd(out _));
        file.Metadata["groups.0.hyperparameters." + name] = value;
        file.Metadata["groups.0.hyperparameters.Dampening"] = "0.5"; // a valid change that must not stay either
        var target = new SGD { LearningRate = 0.3f };
        Register(target, new[] { 3, 2 });
        Refused(target, file.Write(), CheckpointError.InvalidValue);
        Assert.Equal(0f, target.Dampening);
    }

    [Fact]
    public void AnyExceptionFromAnOptimizersOwnChecksRollsBack()
    {
        var picky = new PickyRule();
        picky.Add(new float[2], new float[2]);
        SafetensorsSpec file = SafetensorsSpec.Read(Save(picky));
        file.Metadata["groups.0.hyperparameters.Decay"] = "0.5";
        file.Metadata["groups.0.hyperparameters.LearningRate"] = "5";
        var error = Refused(picky, file.Write(), CheckpointError.InvalidValue);
        Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.Equal((0.1f, 0f), (picky.LearningRate, picky.Decay));
    }

    [Fact]
    public void AParticipantThatRefusesItsStateChangesNothing()
    {
        var options = new CheckpointOptions();
        options.Participants["scheduler"] = new CheckpointRoundTripTests.CounterState { Epoch = -4 };
        var sgd = new SGD { Momentum = 0.9f };
        float[][] gradients = Register(sgd, new[] { 2 });
        Train(sgd, gradients, 1);
        byte[] bytes = Save(sgd, options);

        var target = new SGD();
        Register(target, new[] { 2 });
        var participant = new CheckpointRoundTripTests.CounterState { Epoch = 9 };
        var loadOptions = new CheckpointOptions();
        loadOptions.Participants["scheduler"] = participant;
        var error = Refused(target, bytes, CheckpointError.InvalidValue, loadOptions);
        Assert.IsType<ArgumentOutOfRangeException>(error.InnerException);
        Assert.Equal(9, participant.Epoch);
    }

    [Fact]
    public void AFailedSaveLeavesTheOldFile()
    {
        using var folder = new TempFolder();
        string file = folder.File("optimizer.safetensors");
        byte[] old = SavedSgd(out SGD sgd);
        File.WriteAllBytes(file, old);
        var options = new CheckpointOptions();
        options.Participants["scheduler"] = new CheckpointRoundTripTests.CounterState { Refuse = true };
        Assert.Throws<InvalidOperationException>(() => Checkpoint.SaveFile(sgd, file, options));
        Assert.Equal(old, File.ReadAllBytes(file));
        Assert.Equal(new[] { file }, Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        var sgd = new SGD();
        var options = new CheckpointOptions();
        options.Participants["a.b"] = new CheckpointRoundTripTests.CounterState();
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(sgd, new MemoryStream(), options));
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(sgd, new MemoryStream(new byte[10], writable: false)));
        Assert.Throws<ArgumentNullException>(() => Checkpoint.Save((Optimizer)null!, new MemoryStream()));
        Assert.Throws<ArgumentNullException>(() => Checkpoint.Load(sgd, null!));
    }
}

/// <summary>A rule whose entries would share a name cannot be saved, rather than saving something unloadable.</summary>
public class CheckpointNamingTests
{
    [Fact]
    public void AStateNamedStepCannotBeSaved()
    {
        var rule = new StateNamedStepRule();
        rule.Add(new float[2], new float[2]);
        var error = Assert.Throws<NotSupportedException>(() => Checkpoint.Save(rule, new MemoryStream()));
        Assert.Contains("'state.0.step'", error.Message);
    }
}
