// Prints the source paths a portable PDB records, one a line, and its SourceLink map if it has one
// (`dotnet run PdbDocuments.cs -- KernelGen.pdb`; eng/check-package.sh checks that no path is a
// machine's). The paths are stored in parts, so `strings` alone cannot show them whole.
using System;
using System.IO;
using System.Reflection.Metadata;

Guid sourceLink = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");
using FileStream stream = File.OpenRead(args[0]);
using MetadataReaderProvider provider = MetadataReaderProvider.FromPortablePdbStream(stream);
MetadataReader reader = provider.GetMetadataReader();
foreach (DocumentHandle handle in reader.Documents)
{
    Console.WriteLine("document " + reader.GetString(reader.GetDocument(handle).Name));
}

foreach (CustomDebugInformationHandle handle in reader.CustomDebugInformation)
{
    CustomDebugInformation information = reader.GetCustomDebugInformation(handle);
    if (reader.GetGuid(information.Kind) == sourceLink)
    {
        Console.WriteLine("sourcelink " + System.Text.Encoding.UTF8.GetString(reader.GetBlobBytes(information.Value)).Replace('\n', ' '));
    }
}
