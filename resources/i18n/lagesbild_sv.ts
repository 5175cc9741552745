<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="sv_SE" sourcelanguage="en">
<context>
    <name>DetailPanel</name>
    <message>
        <source>Details of the selected observation</source>
        <translation>Detaljer om vald iakttagelse</translation>
    </message>
    <message>
        <source>Select an observation in the table or on the map.</source>
        <translation>Välj en iakttagelse i tabellen eller på kartan.</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>Kategori</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Tid</translation>
    </message>
    <message>
        <source>Place</source>
        <translation>Plats</translation>
    </message>
    <message>
        <source>Municipality</source>
        <translation>Kommun</translation>
    </message>
    <message>
        <source>Position (WGS 84)</source>
        <translation>Position (WGS 84)</translation>
    </message>
    <message>
        <source>Position (SWEREF 99 TM)</source>
        <translation>Position (SWEREF 99 TM)</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>Allvarlighet</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Police report filed</source>
        <translation>Polisanmäld</translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation>Organisation</translation>
    </message>
    <message>
        <source>Sharing</source>
        <translation>Delning</translation>
    </message>
    <message>
        <source>Walk stop</source>
        <translation>Punkt i trygghetsvandring</translation>
    </message>
    <message>
        <source>Proposed measure</source>
        <translation>Föreslagen åtgärd</translation>
    </message>
</context>
<context>
    <name>FilterPanel</name>
    <message>
        <source>Last 4 weeks</source>
        <translation>Senaste 4 veckorna</translation>
    </message>
    <message>
        <source>This week</source>
        <translation>Denna vecka</translation>
    </message>
    <message>
        <source>Last week</source>
        <translation>Förra veckan</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>Denna månad</translation>
    </message>
    <message>
        <source>Everything</source>
        <translation>Allt</translation>
    </message>
    <message>
        <source>Custom dates</source>
        <translation>Egna datum</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>Period</translation>
    </message>
    <message>
        <source>From date</source>
        <translation>Från datum</translation>
    </message>
    <message>
        <source>To date</source>
        <translation>Till datum</translation>
    </message>
    <message>
        <source>Search in text…</source>
        <translation>Sök i text…</translation>
    </message>
    <message>
        <source>Free text</source>
        <translation>Fritext</translation>
    </message>
    <message>
        <source>Categories</source>
        <translation>Kategorier</translation>
    </message>
    <message>
        <source>Municipalities and areas</source>
        <translation>Kommuner och områden</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Lowest severity</source>
        <translation>Lägsta allvarlighet</translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation>Organisation</translation>
    </message>
    <message>
        <source>All organisations</source>
        <translation>Alla organisationer</translation>
    </message>
    <message>
        <source>Clear filters</source>
        <translation>Rensa filter</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>Severity at least</source>
        <translation>Allvarlighet minst</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Lägesbild</source>
        <translation>Lägesbild</translation>
    </message>
    <message>
        <source>Observations</source>
        <translation>Iakttagelser</translation>
    </message>
    <message>
        <source>Filter</source>
        <translation>Filter</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Detaljer</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>Åtgärder</translation>
    </message>
    <message>
        <source>New observation</source>
        <translation>Ny iakttagelse</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Redigera</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Ta bort</translation>
    </message>
    <message>
        <source>Undo delete</source>
        <translation>Ångra borttagning</translation>
    </message>
    <message>
        <source>Heat map</source>
        <translation>Värmekarta</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Uppdatera</translation>
    </message>
    <message>
        <source>Choose base map (MBTiles)…</source>
        <translation>Välj baskarta (MBTiles)…</translation>
    </message>
    <message>
        <source>No base map</source>
        <translation>Ingen baskarta</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Avsluta</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Arkiv</translation>
    </message>
    <message>
        <source>&amp;Map</source>
        <translation>&amp;Karta</translation>
    </message>
    <message>
        <source>{shown} of {total} observations</source>
        <translation>{shown} av {total} iakttagelser</translation>
    </message>
    <message>
        <source>Choose base map</source>
        <translation>Välj baskarta</translation>
    </message>
    <message>
        <source>MBTiles files (*.mbtiles)</source>
        <translation>MBTiles-filer (*.mbtiles)</translation>
    </message>
    <message>
        <source>Base map</source>
        <translation>Baskarta</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Sparad.</translation>
    </message>
    <message>
        <source>Observation deleted. Ctrl+Z brings it back.</source>
        <translation>Iakttagelsen är borttagen. Ctrl+Z tar tillbaka den.</translation>
    </message>
    <message>
        <source>Observation restored.</source>
        <translation>Iakttagelsen är återställd.</translation>
    </message>
    <message>
        <source>Unsaved observation</source>
        <translation>Osparad iakttagelse</translation>
    </message>
    <message>
        <source>An observation you were writing was not saved (the program may have closed unexpectedly). Do you want to continue with it?</source>
        <translation>En iakttagelse som du skrev sparades inte (programmet kan ha stängts oväntat). Vill du fortsätta med den?</translation>
    </message>
</context>
<context>
    <name>ObservationForm</name>
    <message>
        <source>Edit observation</source>
        <translation>Ändra iakttagelse</translation>
    </message>
    <message>
        <source>New observation</source>
        <translation>Ny iakttagelse</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>Kategori</translation>
    </message>
    <message>
        <source>Type to search, e.g. graffiti</source>
        <translation>Skriv för att söka, t.ex. klotter</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Tidpunkt</translation>
    </message>
    <message>
        <source>End t&amp;ime</source>
        <translation>Slutt&amp;id</translation>
    </message>
    <message>
        <source>End time</source>
        <translation>Sluttid</translation>
    </message>
    <message>
        <source>Position, WGS 84 or SWEREF 99 TM</source>
        <translation>Position, WGS 84 eller SWEREF 99 TM</translation>
    </message>
    <message>
        <source>59.5140, 15.9930 or 6599000 552000</source>
        <translation>59.5140, 15.9930 eller 6599000 552000</translation>
    </message>
    <message>
        <source>Named place</source>
        <translation>Namngiven plats</translation>
    </message>
    <message>
        <source>Choose a named place…</source>
        <translation>Välj en namngiven plats…</translation>
    </message>
    <message>
        <source>Use the photo's position</source>
        <translation>Använd fotots position</translation>
    </message>
    <message>
        <source>Place name</source>
        <translation>Platsnamn</translation>
    </message>
    <message>
        <source>Place type</source>
        <translation>Platstyp</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>Allvarlighet</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Rubrik</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beskrivning</translation>
    </message>
    <message>
        <source>Sharing</source>
        <translation>Delning</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Police report</source>
        <translation>Polisanmälan</translation>
    </message>
    <message>
        <source>&amp;Add photo…</source>
        <translation>&amp;Lägg till foto…</translation>
    </message>
    <message>
        <source>Remove photo</source>
        <translation>Ta bort foto</translation>
    </message>
    <message>
        <source>Sa&amp;ve</source>
        <translation>&amp;Spara</translation>
    </message>
    <message>
        <source>Save (Ctrl+Enter)</source>
        <translation>Spara (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Canc&amp;el</source>
        <translation>A&amp;vbryt</translation>
    </message>
    <message>
        <source>&amp;Category</source>
        <translation>&amp;Kategori</translation>
    </message>
    <message>
        <source>Ti&amp;me</source>
        <translation>&amp;Tidpunkt</translation>
    </message>
    <message>
        <source>or</source>
        <translation>eller</translation>
    </message>
    <message>
        <source>&amp;Position</source>
        <translation>&amp;Position</translation>
    </message>
    <message>
        <source>Place &amp;name</source>
        <translation>Plats&amp;namn</translation>
    </message>
    <message>
        <source>Place t&amp;ype</source>
        <translation>Platst&amp;yp</translation>
    </message>
    <message>
        <source>&amp;Severity</source>
        <translation>&amp;Allvarlighet</translation>
    </message>
    <message>
        <source>&amp;Title</source>
        <translation>&amp;Rubrik</translation>
    </message>
    <message>
        <source>&amp;Description</source>
        <translation>&amp;Beskrivning</translation>
    </message>
    <message>
        <source>S&amp;haring</source>
        <translation>&amp;Delning</translation>
    </message>
    <message>
        <source>Stat&amp;us</source>
        <translation>Stat&amp;us</translation>
    </message>
    <message>
        <source>Police &amp;report</source>
        <translation>P&amp;olisanmälan</translation>
    </message>
    <message>
        <source>Photos</source>
        <translation>Foton</translation>
    </message>
    <message>
        <source>Ctrl+Enter saves · Esc closes</source>
        <translation>Ctrl+Enter sparar · Esc stänger</translation>
    </message>
    <message>
        <source>The photo {file} is no longer there.</source>
        <translation>Fotot {file} finns inte längre kvar.</translation>
    </message>
    <message>
        <source>No category matches “{text}”; choose one from the list.</source>
        <translation>Ingen kategori matchar ”{text}”. Välj en i listan.</translation>
    </message>
    <message>
        <source>Type WGS 84 or SWEREF 99 TM coordinates, choose a named place, or click the map.</source>
        <translation>Skriv koordinater i WGS 84 eller SWEREF 99 TM, välj en namngiven plats eller klicka på kartan.</translation>
    </message>
    <message>
        <source>WGS 84: {lat}, {lon}   SWEREF 99 TM: N {north}, E {east}</source>
        <translation>WGS 84: {lat}, {lon}   SWEREF 99 TM: N {north}, E {east}</translation>
    </message>
    <message>
        <source>Add photos</source>
        <translation>Lägg till foton</translation>
    </message>
    <message>
        <source>Pictures (*.jpg *.jpeg *.png *.heic *.tif *.tiff *.webp);;All files (*)</source>
        <translation>Bilder (*.jpg *.jpeg *.png *.heic *.tif *.tiff *.webp);;Alla filer (*)</translation>
    </message>
    <message>
        <source>Use the photo's position ({lat}, {lon})</source>
        <translation>Använd fotots position ({lat}, {lon})</translation>
    </message>
    <message>
        <source>Give a position: type coordinates, choose a named place or click the map.</source>
        <translation>Ange en position: skriv koordinater, välj en namngiven plats eller klicka på kartan.</translation>
    </message>
    <message>
        <source>Saving observation</source>
        <translation>Sparar iakttagelsen</translation>
    </message>
    <message>
        <source>The observation was saved, but these photos could not be added:</source>
        <translation>Iakttagelsen sparades, men de här fotona kunde inte läggas till:</translation>
    </message>
    <message>
        <source>Could not save the observation. Everything you typed is kept; try again.</source>
        <translation>Iakttagelsen kunde inte sparas. Allt du har skrivit finns kvar; försök igen.</translation>
    </message>
    <message>
        <source>Observation</source>
        <translation>Iakttagelse</translation>
    </message>
    <message>
        <source>Draft saved {time}</source>
        <translation>Utkast sparat {time}</translation>
    </message>
    <message>
        <source>The draft could not be saved.</source>
        <translation>Utkastet kunde inte sparas.</translation>
    </message>
    <message>
        <source>Discard observation?</source>
        <translation>Kasta iakttagelsen?</translation>
    </message>
    <message>
        <source>Close the form and throw away what you have typed?</source>
        <translation>Stänga formuläret och kasta det du har skrivit?</translation>
    </message>
</context>
<context>
    <name>ObservationTableModel</name>
    <message>
        <source>Time</source>
        <translation>Tid</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>Kategori</translation>
    </message>
    <message>
        <source>Municipality</source>
        <translation>Kommun</translation>
    </message>
    <message>
        <source>Place</source>
        <translation>Plats</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>Allvarlighet</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation>Organisation</translation>
    </message>
</context>
<context>
    <name>PhotoStrip</name>
    <message>
        <source>Photos</source>
        <translation>Foton</translation>
    </message>
    <message>
        <source>No photos. Drag pictures here or add them with the button.</source>
        <translation>Inga foton. Dra bilder hit eller lägg till dem med knappen.</translation>
    </message>
</context>
</TS>