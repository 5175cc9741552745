<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="sv_SE" sourcelanguage="en">
<context>
    <name>AboutDialog</name>
    <message>
        <source>Python package</source>
        <translation>Python-paket</translation>
    </message>
    <message>
        <source>BSD-3-Clause (and others)</source>
        <translation>BSD-3-Clause (med flera)</translation>
    </message>
    <message>
        <source>Public domain</source>
        <translation>Allmän egendom (public domain)</translation>
    </message>
    <message>
        <source>DejaVu fonts</source>
        <translation>DejaVu-typsnitt</translation>
    </message>
    <message>
        <source>PDF reports</source>
        <translation>PDF-rapporter</translation>
    </message>
    <message>
        <source>Map data</source>
        <translation>Kartdata</translation>
    </message>
    <message>
        <source>See the base map's attribution</source>
        <translation>Se baskartans upphovsangivelse</translation>
    </message>
    <message>
        <source>Map</source>
        <translation>Karta</translation>
    </message>
    <message>
        <source>About Lägesbild</source>
        <translation>Om Lägesbild</translation>
    </message>
    <message>
        <source>The shared situational picture of a municipality and its local police.</source>
        <translation>Den gemensamma lägesbilden för en kommun och dess lokalpolis.</translation>
    </message>
    <message>
        <source>Licence of Lägesbild: {licence}.</source>
        <translation>Lägesbilds licens: {licence}.</translation>
    </message>
    <message>
        <source>Bundled components and their licences:</source>
        <translation>Medföljande komponenter och deras licenser:</translation>
    </message>
    <message>
        <source>Component</source>
        <translation>Komponent</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>Licens</translation>
    </message>
    <message>
        <source>Part of</source>
        <translation>Ingår i</translation>
    </message>
    <message>
        <source>Bundled components and their licences</source>
        <translation>Medföljande komponenter och deras licenser</translation>
    </message>
    <message>
        <source>Licence text</source>
        <translation>Licenstext</translation>
    </message>
    <message>
        <source>Select a component to read its licence.</source>
        <translation>Välj en komponent för att läsa dess licens.</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Stäng</translation>
    </message>
    <message>
        <source>The list of components could not be read.</source>
        <translation>Listan över komponenter kunde inte läsas.</translation>
    </message>
    <message>
        <source>The licence text is not included; the licence is {licence}.</source>
        <translation>Licenstexten medföljer inte; licensen är {licence}.</translation>
    </message>
</context>
<context>
    <name>AccountPage</name>
    <message>
        <source>Organisation and administrator</source>
        <translation>Organisation och administratör</translation>
    </message>
    <message>
        <source>Which organisation uses this installation, and who administers it? The administrator signs in with this name and password; the database is encrypted with a key that only opens with a password.</source>
        <translation>Vilken organisation använder installationen, och vem administrerar den? Administratören loggar in med det här namnet och lösenordet; databasen krypteras med en nyckel som bara öppnas med ett lösenord.</translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation>Organisation</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Sort</translation>
    </message>
    <message>
        <source>Name shown</source>
        <translation>Namn som visas</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Användarnamn</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Lösenord</translation>
    </message>
    <message>
        <source>Password again</source>
        <translation>Lösenord igen</translation>
    </message>
    <message>
        <source>Choose or type the name</source>
        <translation>Välj eller skriv namnet</translation>
    </message>
    <message>
        <source>At least 8 characters</source>
        <translation>Minst 8 tecken</translation>
    </message>
</context>
<context>
    <name>AuditDialog</name>
    <message>
        <source>Audit log</source>
        <translation>Granskningslogg</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Användare</translation>
    </message>
    <message>
        <source>All users</source>
        <translation>Alla användare</translation>
    </message>
    <message>
        <source>(system)</source>
        <translation>(systemet)</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Händelse</translation>
    </message>
    <message>
        <source>All actions</source>
        <translation>Alla händelser</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Från</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Till</translation>
    </message>
    <message>
        <source>Record id</source>
        <translation>Post-id</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>Post</translation>
    </message>
    <message>
        <source>Audit log entries</source>
        <translation>Granskningsloggens poster</translation>
    </message>
    <message>
        <source>Check the chain</source>
        <translation>Kontrollera kedjan</translation>
    </message>
    <message>
        <source>Recompute the hash chain: shows the first entry that was changed, removed or inserted</source>
        <translation>Räknar om kontrollsummornas kedja och visar den första post som har ändrats, tagits bort eller lagts in i efterhand</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Stäng</translation>
    </message>
    <message>
        <source>any</source>
        <translation>alla</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Läser in…</translation>
    </message>
    <message>
        <source>Showing the newest {shown} of {total} entries. Narrow the filters to see the others.</source>
        <translation>Visar de senaste {shown} av {total} poster. Begränsa filtren för att se de övriga.</translation>
    </message>
    <message numerus="yes">
        <source>%n entries</source>
        <translation>
            <numerusform>%n post</numerusform>
            <numerusform>%n poster</numerusform>
        </translation>
    </message>
    <message>
        <source>Checking the chain…</source>
        <translation>Kontrollerar kedjan…</translation>
    </message>
    <message numerus="yes">
        <source>The log is intact: %n entries.</source>
        <translation>
            <numerusform>Loggen är hel: %n post.</numerusform>
            <numerusform>Loggen är hel: %n poster.</numerusform>
        </translation>
    </message>
    <message>
        <source>Its end could not be checked yet.</source>
        <translation>Slutet kunde inte kontrolleras ännu.</translation>
    </message>
    <message>
        <source>The log is NOT intact. {problem}</source>
        <translation>Loggen är INTE hel. {problem}</translation>
    </message>
</context>
<context>
    <name>AuditTableModel</name>
    <message>
        <source>Time</source>
        <translation>Tid</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Användare</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Händelse</translation>
    </message>
    <message>
        <source>Record type</source>
        <translation>Posttyp</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>Post</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Detaljer</translation>
    </message>
    <message>
        <source>create</source>
        <translation>skapad</translation>
    </message>
    <message>
        <source>edit</source>
        <translation>ändrad</translation>
    </message>
    <message>
        <source>delete</source>
        <translation>borttagen</translation>
    </message>
    <message>
        <source>restore</source>
        <translation>återställd</translation>
    </message>
    <message>
        <source>view</source>
        <translation>visad</translation>
    </message>
    <message>
        <source>export</source>
        <translation>exporterad</translation>
    </message>
    <message>
        <source>(system)</source>
        <translation>(systemet)</translation>
    </message>
</context>
<context>
    <name>BackupDialog</name>
    <message>
        <source>The database is damaged: SQLite's full check found %1 problems in the file. Lägesbild can put back a backup: File → Restore a backup…, or on the command line: lagesbild backup restore. Changes made after the backup that were not synced are not in it.</source>
        <translation>Databasen är skadad: SQLites fullständiga kontroll hittade %1 fel i filen. Lägesbild kan lägga tillbaka en säkerhetskopia: Arkiv → Återställ en säkerhetskopia…, eller på kommandoraden: lagesbild backup restore. Ändringar efter säkerhetskopian som inte hade synkats finns inte med.</translation>
    </message>
    <message>
        <source>The database is damaged</source>
        <translation>Databasen är skadad</translation>
    </message>
</context>
<context>
    <name>BaseMapPage</name>
    <message>
        <source>Base map</source>
        <translation>Baskarta</translation>
    </message>
    <message>
        <source>The map under the observations. Without one, the map shows the municipality borders on a plain background. You can change it later in the Map menu.</source>
        <translation>Kartan under iakttagelserna. Utan baskarta visar kartan kommungränserna på en enfärgad bakgrund. Du kan byta senare i menyn Karta.</translation>
    </message>
    <message>
        <source>No base map for now</source>
        <translation>Ingen baskarta just nu</translation>
    </message>
    <message>
        <source>Import an MBTiles file (works offline)</source>
        <translation>Importera en MBTiles-fil (fungerar utan nät)</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Bläddra…</translation>
    </message>
    <message>
        <source>Path to a .mbtiles file</source>
        <translation>Sökväg till en .mbtiles-fil</translation>
    </message>
    <message>
        <source>An online map source</source>
        <translation>En kartkälla på nätet</translation>
    </message>
    <message>
        <source>Tile address</source>
        <translation>Adress till kartplattor</translation>
    </message>
    <message>
        <source>Attribution</source>
        <translation>Upphovsangivelse</translation>
    </message>
    <message>
        <source>e.g. © Lantmäteriet</source>
        <translation>t.ex. © Lantmäteriet</translation>
    </message>
    <message>
        <source>An online source is only drawn when the computer has a network; check that its terms allow your use.</source>
        <translation>En kartkälla på nätet ritas bara när datorn är uppkopplad; kontrollera att dess villkor tillåter er användning.</translation>
    </message>
    <message>
        <source>Choose base map</source>
        <translation>Välj baskarta</translation>
    </message>
    <message>
        <source>MBTiles files (*.mbtiles)</source>
        <translation>MBTiles-filer (*.mbtiles)</translation>
    </message>
</context>
<context>
    <name>CrashNotice</name>
    <message>
        <source>Lägesbild closed unexpectedly last time. What happened is written in the file

%1

Please send that file to whoever supports Lägesbild for you. It holds no data from the database, only where in the program it stopped.</source>
        <translation>Lägesbild stängdes oväntat förra gången. Vad som hände står i filen

%1

Skicka gärna den filen till den som ger er support för Lägesbild. Den innehåller inga uppgifter ur databasen, bara var i programmet det stannade.</translation>
    </message>
    <message>
        <source>Lägesbild closed unexpectedly</source>
        <translation>Lägesbild stängdes oväntat</translation>
    </message>
</context>
<context>
    <name>CreatePage</name>
    <message>
        <source>Creating the database…</source>
        <translation>Skapar databasen…</translation>
    </message>
    <message>
        <source>Building the demo data…</source>
        <translation>Bygger demodata…</translation>
    </message>
    <message>
        <source>Creating the administrator's account…</source>
        <translation>Skapar administratörens konto…</translation>
    </message>
    <message>
        <source>Encrypting the database…</source>
        <translation>Krypterar databasen…</translation>
    </message>
    <message>
        <source>Copying the base map…</source>
        <translation>Kopierar baskartan…</translation>
    </message>
    <message>
        <source>Finishing…</source>
        <translation>Avslutar…</translation>
    </message>
    <message>
        <source>Setting up</source>
        <translation>Installerar</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>Försök igen</translation>
    </message>
    <message>
        <source>Ready. Press Finish to open Lägesbild.</source>
        <translation>Klart. Tryck på Slutför för att öppna Lägesbild.</translation>
    </message>
    <message>
        <source>Try again, or go back to change what you chose; what you typed is kept.</source>
        <translation>Försök igen, eller gå tillbaka och ändra det du valde; det du skrivit finns kvar.</translation>
    </message>
</context>
<context>
    <name>DataPage</name>
    <message>
        <source>Data</source>
        <translation>Data</translation>
    </message>
    <message>
        <source>Start with an empty database or with demo data?</source>
        <translation>Börja med en tom databas eller med demodata?</translation>
    </message>
    <message>
        <source>An empty database</source>
        <translation>En tom databas</translation>
    </message>
    <message>
        <source>For real work: the categories and the areas of Västra Mälardalen, no records.</source>
        <translation>För verkligt arbete: kategorierna och områdena i Västra Mälardalen, inga poster.</translation>
    </message>
    <message>
        <source>Demo data</source>
        <translation>Demodata</translation>
    </message>
    <message>
        <source>Two years of invented observations, walks and measures in Västra Mälardalen, for trying the program out and for training.</source>
        <translation>Två år av påhittade iakttagelser, trygghetsvandringar och åtgärder i Västra Mälardalen, för att prova programmet och för utbildning.</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>Skapa</translation>
    </message>
</context>
<context>
    <name>DetailPanel</name>
    <message>
        <source>Details</source>
        <translation>Detaljer</translation>
    </message>
    <message>
        <source>Details of the selected observation</source>
        <translation>Detaljer om vald iakttagelse</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Läser in…</translation>
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
    <name>DuplicateOffer</name>
    <message>
        <source>Show</source>
        <translation>Visa</translation>
    </message>
    <message>
        <source>Link as duplicate</source>
        <translation>Länka som dubblett</translation>
    </message>
    <message>
        <source>Save this observation as a duplicate of the one already recorded</source>
        <translation>Spara iakttagelsen som dubblett av den som redan är registrerad</translation>
    </message>
    <message>
        <source>Not a duplicate</source>
        <translation>Inte en dubblett</translation>
    </message>
    <message>
        <source>There is 1 similar observation within 50 m and 48 hours: {found}</source>
        <translation>Det finns 1 liknande iakttagelse inom 50 m och 48 timmar: {found}</translation>
    </message>
    <message>
        <source>There are {count} similar observations within 50 m and 48 hours: {found}</source>
        <translation>Det finns {count} liknande iakttagelser inom 50 m och 48 timmar: {found}</translation>
    </message>
    <message>
        <source>{metres} m away</source>
        <translation>{metres} m bort</translation>
    </message>
</context>
<context>
    <name>ExportPrivacy</name>
    <message>
        <source>The file would hold personal data ({count} finding(s)). Mask them in the file? The records themselves are not changed.</source>
        <translation>Filen skulle innehålla personuppgifter ({count} fynd). Maskera dem i filen? Posterna ändras inte.</translation>
    </message>
    <message>
        <source>Personal data in the export</source>
        <translation>Personuppgifter i exporten</translation>
    </message>
    <message>
        <source>Mask in the file</source>
        <translation>Maskera i filen</translation>
    </message>
    <message>
        <source>Export unchanged</source>
        <translation>Exportera oförändrat</translation>
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
    <name>FirstRunWizard</name>
    <message>
        <source>Lägesbild – first start</source>
        <translation>Lägesbild – första start</translation>
    </message>
    <message>
        <source>Choose or type the organisation's name.</source>
        <translation>Välj eller skriv organisationens namn.</translation>
    </message>
    <message>
        <source>Choose what kind of organisation it is.</source>
        <translation>Välj vilken sorts organisation det är.</translation>
    </message>
    <message>
        <source>Type a user name.</source>
        <translation>Skriv ett användarnamn.</translation>
    </message>
    <message>
        <source>The user name cannot contain spaces.</source>
        <translation>Användarnamnet får inte innehålla mellanslag.</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>De två lösenorden skiljer sig åt.</translation>
    </message>
    <message>
        <source>The password must have at least 8 characters.</source>
        <translation>Lösenordet måste ha minst 8 tecken.</translation>
    </message>
    <message>
        <source>The server address must start with http:// or https:// and name a host, e.g. https://lagesbild.kommun.se.</source>
        <translation>Serveradressen ska börja med http:// eller https:// och ha ett värdnamn, t.ex. https://lagesbild.kommun.se.</translation>
    </message>
    <message>
        <source>The port number in the server address is wrong.</source>
        <translation>Portnumret i serveradressen är fel.</translation>
    </message>
    <message>
        <source>The map source cannot be used: %1</source>
        <translation>Kartkällan kan inte användas: %1</translation>
    </message>
    <message>
        <source>Choose an MBTiles file.</source>
        <translation>Välj en MBTiles-fil.</translation>
    </message>
    <message>
        <source>The file holds vector tiles; Lägesbild shows raster maps only (PNG, JPEG, WebP).</source>
        <translation>Filen innehåller vektorplattor; Lägesbild visar bara rasterkartor (PNG, JPEG, WebP).</translation>
    </message>
    <message>
        <source>The file cannot be used as a base map: %1</source>
        <translation>Filen kan inte användas som baskarta: %1</translation>
    </message>
    <message>
        <source>There is a database at %1 already.</source>
        <translation>Det finns redan en databas på %1.</translation>
    </message>
    <message>
        <source>The database could not be created: %1</source>
        <translation>Databasen kunde inte skapas: %1</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>Avbryter…</translation>
    </message>
</context>
<context>
    <name>HelpWindow</name>
    <message>
        <source>In forms</source>
        <translation>I formulär</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Spara</translation>
    </message>
    <message>
        <source>Close the form (asks before throwing away what you typed)</source>
        <translation>Stäng formuläret (frågar innan det du skrivit kastas)</translation>
    </message>
    <message>
        <source>Next and previous field</source>
        <translation>Nästa och föregående fält</translation>
    </message>
    <message>
        <source>Go to the field with the underlined letter</source>
        <translation>Gå till fältet med den understrukna bokstaven</translation>
    </message>
    <message>
        <source>Alt+letter</source>
        <translation>Alt+bokstav</translation>
    </message>
    <message>
        <source>Open a list or a calendar</source>
        <translation>Öppna en lista eller en kalender</translation>
    </message>
    <message>
        <source>Lists</source>
        <translation>Listor</translation>
    </message>
    <message>
        <source>Select several rows</source>
        <translation>Markera flera rader</translation>
    </message>
    <message>
        <source>Shift+arrows, Ctrl+Space</source>
        <translation>Skift+piltangenter, Ctrl+Mellanslag</translation>
    </message>
    <message>
        <source>Menus</source>
        <translation>Menyer</translation>
    </message>
    <message>
        <source>Open the menu with the underlined letter</source>
        <translation>Öppna menyn med den understrukna bokstaven</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Övrigt</translation>
    </message>
    <message>
        <source>Help</source>
        <translation>Hjälp</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>Var</translation>
    </message>
    <message>
        <source>Command</source>
        <translation>Kommando</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>Tangenter</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Kortkommandon</translation>
    </message>
    <message>
        <source>User guide</source>
        <translation>Användarguide</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Läser in…</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Kortkommandon</translation>
    </message>
    <message>
        <source>&amp;User guide</source>
        <translation>&amp;Användarguide</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Stäng</translation>
    </message>
    <message>
        <source>The user guide is not installed with this copy of Lägesbild.</source>
        <translation>Användarguiden är inte installerad med det här exemplaret av Lägesbild.</translation>
    </message>
    <message>
        <source>The user guide could not be read.</source>
        <translation>Användarguiden kunde inte läsas.</translation>
    </message>
</context>
<context>
    <name>HotspotModel</name>
    <message>
        <source>No.</source>
        <translation>Nr</translation>
    </message>
    <message>
        <source>Place</source>
        <translation>Plats</translation>
    </message>
    <message>
        <source>Observations</source>
        <translation>Iakttagelser</translation>
    </message>
    <message>
        <source>Radius (m)</source>
        <translation>Radie (m)</translation>
    </message>
    <message>
        <source>Significance</source>
        <translation>Signifikans</translation>
    </message>
    <message>
        <source>Score (z)</source>
        <translation>Poäng (z)</translation>
    </message>
    <message>
        <source>(unnamed place)</source>
        <translation>(plats utan namn)</translation>
    </message>
    <message>
        <source>Double-click or press Enter to show its {count} observations on the map</source>
        <translation>Dubbelklicka eller tryck Enter för att visa dess {count} iakttagelser på kartan</translation>
    </message>
</context>
<context>
    <name>IdleLock</name>
    <message>
        <source>&amp;Lock now</source>
        <translation>&amp;Lås nu</translation>
    </message>
    <message>
        <source>Hide the window until your password is typed</source>
        <translation>Dölj fönstret tills ditt lösenord skrivs</translation>
    </message>
</context>
<context>
    <name>LagesbildCountModel</name>
    <message>
        <source>Period</source>
        <translation>Perioden</translation>
    </message>
    <message>
        <source>Previous
period</source>
        <translation>Föregående
period</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Förändring</translation>
    </message>
    <message>
        <source>%</source>
        <translation>%</translation>
    </message>
    <message>
        <source>Same period
last year</source>
        <translation>Samma period
i fjol</translation>
    </message>
    <message>
        <source>The chosen period</source>
        <translation>Den valda perioden</translation>
    </message>
    <message>
        <source>The previous period of the same length</source>
        <translation>Föregående period, lika lång</translation>
    </message>
    <message>
        <source>Change against the previous period</source>
        <translation>Förändring mot föregående period</translation>
    </message>
    <message>
        <source>Change against the previous period, in percent</source>
        <translation>Förändring mot föregående period, i procent</translation>
    </message>
    <message>
        <source>The same period last year (52 weeks earlier, same weekdays)</source>
        <translation>Samma period i fjol (52 veckor tidigare, samma veckodagar)</translation>
    </message>
    <message>
        <source>Change against the same period last year</source>
        <translation>Förändring mot samma period i fjol</translation>
    </message>
    <message>
        <source>Change against the same period last year, in percent</source>
        <translation>Förändring mot samma period i fjol, i procent</translation>
    </message>
</context>
<context>
    <name>LagesbildView</name>
    <message>
        <source>Lägesbild</source>
        <translation>Lägesbild</translation>
    </message>
    <message>
        <source>Choose a period and filters to compile the lägesbild.</source>
        <translation>Välj period och filter för att sammanställa lägesbilden.</translation>
    </message>
    <message>
        <source>No observations in the chosen period with these filters.</source>
        <translation>Inga iakttagelser under den valda perioden med dessa filter.</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Sammanfattning</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>Kategori</translation>
    </message>
    <message>
        <source>Counts per category</source>
        <translation>Antal per kategori</translation>
    </message>
    <message>
        <source>Municipality / area</source>
        <translation>Kommun / område</translation>
    </message>
    <message>
        <source>Counts per municipality and area</source>
        <translation>Antal per kommun och område</translation>
    </message>
    <message>
        <source>Observations by weekday and hour</source>
        <translation>Iakttagelser per veckodag och timme</translation>
    </message>
    <message>
        <source>Hotspots</source>
        <translation>Brännpunkter</translation>
    </message>
    <message>
        <source>Open measures</source>
        <translation>Öppna åtgärder</translation>
    </message>
    <message>
        <source>Summary: the biggest changes</source>
        <translation>Sammanfattning: de största förändringarna</translation>
    </message>
    <message>
        <source>Per category</source>
        <translation>Per kategori</translation>
    </message>
    <message>
        <source>Per municipality and area</source>
        <translation>Per kommun och område</translation>
    </message>
    <message>
        <source>Weekday and hour of the day</source>
        <translation>Veckodag och timme</translation>
    </message>
    <message>
        <source>Trend: observations per week, 52 weeks</source>
        <translation>Trend: iakttagelser per vecka, 52 veckor</translation>
    </message>
    <message>
        <source>Hotspots, top 10</source>
        <translation>Brännpunkter, topp 10</translation>
    </message>
    <message>
        <source>Compiling…</source>
        <translation>Sammanställer…</translation>
    </message>
    <message>
        <source>The lägesbild could not be compiled: {reason}</source>
        <translation>Lägesbilden kunde inte sammanställas: {reason}</translation>
    </message>
    <message>
        <source>Dark bars: the period's weeks; {total} observations in the 52 weeks, at most {top} in a week.</source>
        <translation>Mörka staplar: periodens veckor; {total} iakttagelser under de 52 veckorna, som mest {top} på en vecka.</translation>
    </message>
    <message>
        <source>No significant hotspots in the period.</source>
        <translation>Inga signifikanta brännpunkter under perioden.</translation>
    </message>
    <message>
        <source>{found} significant hotspots among {points} observations (200 m cells, Getis-Ord Gi*). Double-click a row to show it on the map.</source>
        <translation>{found} signifikanta brännpunkter bland {points} iakttagelser (rutor om 200 m, Getis-Ord Gi*). Dubbelklicka på en rad för att visa den på kartan.</translation>
    </message>
    <message>
        <source>Open measures ({count})</source>
        <translation>Öppna åtgärder ({count})</translation>
    </message>
    <message>
        <source>{count} overdue</source>
        <translation>{count} försenade</translation>
    </message>
    <message>
        <source>None overdue.</source>
        <translation>Inga försenade.</translation>
    </message>
    <message>
        <source>No open measures.</source>
        <translation>Inga öppna åtgärder.</translation>
    </message>
    <message>
        <source>Only measures linked to observations that the filters let through.</source>
        <translation>Endast åtgärder kopplade till iakttagelser som filtren släpper igenom.</translation>
    </message>
    <message>
        <source>{weeks} weeks</source>
        <translation>{weeks} veckor</translation>
    </message>
    <message>
        <source>1 week</source>
        <translation>1 vecka</translation>
    </message>
    <message>
        <source>{days} days</source>
        <translation>{days} dagar</translation>
    </message>
    <message>
        <source>Period {range} ({length}): {count} observations</source>
        <translation>Perioden {range} ({length}): {count} iakttagelser</translation>
    </message>
    <message>
        <source>Compared with the previous period {previous} and the same period last year {last_year}. Compiled {today}.</source>
        <translation>Jämförs med föregående period {previous} och samma period i fjol {last_year}. Sammanställd {today}.</translation>
    </message>
    <message>
        <source>No large changes against the previous period.</source>
        <translation>Inga stora förändringar mot föregående period.</translation>
    </message>
    <message>
        <source>category</source>
        <translation>kategori</translation>
    </message>
    <message>
        <source>municipality</source>
        <translation>kommun</translation>
    </message>
    <message>
        <source>area</source>
        <translation>område</translation>
    </message>
    <message>
        <source>{label} ({kind}): up from {previous} to {current} ({pct})</source>
        <translation>{label} ({kind}): ökade från {previous} till {current} ({pct})</translation>
    </message>
    <message>
        <source>{label} ({kind}): down from {previous} to {current} ({pct})</source>
        <translation>{label} ({kind}): minskade från {previous} till {current} ({pct})</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Totalt</translation>
    </message>
</context>
<context>
    <name>Language</name>
    <message>
        <source>Language</source>
        <translation>Språk</translation>
    </message>
    <message>
        <source>The new language is used from the next time you start Lägesbild.</source>
        <translation>Det nya språket används från nästa gång du startar Lägesbild.</translation>
    </message>
    <message>
        <source>Lan&amp;guage</source>
        <translation>S&amp;pråk</translation>
    </message>
</context>
<context>
    <name>LanguagePage</name>
    <message>
        <source>Welcome to Lägesbild</source>
        <translation>Välkommen till Lägesbild</translation>
    </message>
    <message>
        <source>This computer has no Lägesbild database yet. A few questions set it up: the language, your organisation and the administrator's account, the sync server, the base map, and demo data or an empty database. You can change the language later in the menu.</source>
        <translation>Den här datorn har ingen Lägesbild-databas än. Några frågor ställer in den: språket, din organisation och administratörens konto, synkservern, baskartan, och demodata eller en tom databas. Du kan byta språk senare i menyn.</translation>
    </message>
</context>
<context>
    <name>LockDialog</name>
    <message>
        <source>Lägesbild is locked</source>
        <translation>Lägesbild är låst</translation>
    </message>
    <message>
        <source>The window was locked after a while without use. Type the password of %1 to go on.</source>
        <translation>Fönstret låstes efter en stund utan användning. Skriv lösenordet för %1 för att fortsätta.</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>Lås upp</translation>
    </message>
    <message>
        <source>The window is locked. Type the password of %1 to go on.</source>
        <translation>Fönstret är låst. Skriv lösenordet för %1 för att fortsätta.</translation>
    </message>
    <message>
        <source>Wrong password.</source>
        <translation>Fel lösenord.</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>Demo database: every account (e.g. %1) has the password "%2".</source>
        <translation>Demodatabas: alla konton (t.ex. %1) har lösenordet "%2".</translation>
    </message>
    <message>
        <source>Lägesbild – sign in</source>
        <translation>Lägesbild – logga in</translation>
    </message>
    <message>
        <source>No account can sign in yet. Create the administrator of this installation; the database is encrypted with a key that only opens with a password.</source>
        <translation>Inget konto kan logga in ännu. Skapa installationens administratör; databasen krypteras med en nyckel som bara öppnas med ett lösenord.</translation>
    </message>
    <message>
        <source>Sign in with your account on this computer.</source>
        <translation>Logga in med ditt konto på den här datorn.</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Användarnamn</translation>
    </message>
    <message>
        <source>Name shown</source>
        <translation>Namn som visas</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Lösenord</translation>
    </message>
    <message>
        <source>Password again</source>
        <translation>Lösenord igen</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Loggar in…</translation>
    </message>
    <message>
        <source>Create account</source>
        <translation>Skapa konto</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Logga in</translation>
    </message>
    <message>
        <source>Type your user name.</source>
        <translation>Skriv ditt användarnamn.</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>De två lösenorden skiljer sig åt.</translation>
    </message>
    <message>
        <source>Signing in failed: %1</source>
        <translation>Inloggningen misslyckades: %1</translation>
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
        <source>Map of the observations</source>
        <translation>Karta över iakttagelserna</translation>
    </message>
    <message>
        <source>Situational picture</source>
        <translation>Lägesbild</translation>
    </message>
    <message>
        <source>Measures</source>
        <translation>Åtgärder</translation>
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
        <source>New measure from the selection</source>
        <translation>Ny åtgärd av markerade</translation>
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
        <source>Export lägesbild (PDF)…</source>
        <translation>Exportera lägesbild (PDF)…</translation>
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
        <source>Audit log…</source>
        <translation>Granskningslogg…</translation>
    </message>
    <message>
        <source>Retention…</source>
        <translation>Gallring…</translation>
    </message>
    <message>
        <source>Change the database key…</source>
        <translation>Byt databasens nyckel…</translation>
    </message>
    <message>
        <source>Restore a backup…</source>
        <translation>Återställ en säkerhetskopia…</translation>
    </message>
    <message>
        <source>&amp;Map</source>
        <translation>&amp;Karta</translation>
    </message>
    <message>
        <source>&amp;Sync</source>
        <translation>S&amp;ynk</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Visa</translation>
    </message>
    <message>
        <source>&amp;Observations</source>
        <translation>&amp;Iakttagelser</translation>
    </message>
    <message>
        <source>&amp;Situational picture</source>
        <translation>&amp;Lägesbild</translation>
    </message>
    <message>
        <source>&amp;Measures</source>
        <translation>&amp;Åtgärder</translation>
    </message>
    <message>
        <source>Safety &amp;walks</source>
        <translation>&amp;Trygghetsvandringar</translation>
    </message>
    <message>
        <source>Search in the te&amp;xt</source>
        <translation>Sö&amp;k i texten</translation>
    </message>
    <message>
        <source>Go to the &amp;filters</source>
        <translation>Gå till &amp;filtren</translation>
    </message>
    <message>
        <source>&amp;Night theme</source>
        <translation>&amp;Nattläge</translation>
    </message>
    <message>
        <source>&amp;Large text</source>
        <translation>St&amp;or text</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hjälp</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Kortkommandon</translation>
    </message>
    <message>
        <source>&amp;User guide</source>
        <translation>&amp;Användarguide</translation>
    </message>
    <message>
        <source>&amp;About Lägesbild</source>
        <translation>&amp;Om Lägesbild</translation>
    </message>
    <message>
        <source>Safety walks</source>
        <translation>Trygghetsvandringar</translation>
    </message>
    <message>
        <source>Map of the walk's route</source>
        <translation>Karta över vandringens rutt</translation>
    </message>
    <message>
        <source>Showing the hotspot at {place}. Change a filter to see everything again.</source>
        <translation>Visar brännpunkten vid {place}. Ändra ett filter för att se allt igen.</translation>
    </message>
    <message>
        <source>{shown} of {total} observations</source>
        <translation>{shown} av {total} iakttagelser</translation>
    </message>
    <message>
        <source>Export lägesbild</source>
        <translation>Exportera lägesbild</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF-filer (*.pdf)</translation>
    </message>
    <message>
        <source>Writing the lägesbild…</source>
        <translation>Skriver lägesbilden…</translation>
    </message>
    <message>
        <source>Compiling the numbers…</source>
        <translation>Sammanställer siffrorna…</translation>
    </message>
    <message>
        <source>Drawing the map…</source>
        <translation>Ritar kartan…</translation>
    </message>
    <message>
        <source>Adding the safety-walk protocols…</source>
        <translation>Lägger till trygghetsvandringarnas protokoll…</translation>
    </message>
    <message>
        <source>Writing the PDF…</source>
        <translation>Skriver PDF-filen…</translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>Klart.</translation>
    </message>
    <message>
        <source>Saved {file}.</source>
        <translation>Sparade {file}.</translation>
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
        <source>Select one or more observations in the table first.</source>
        <translation>Markera först en eller flera iakttagelser i tabellen.</translation>
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
    <message>
        <source>Lägesbild closes now; start it again.</source>
        <translation>Lägesbild stängs nu; starta programmet igen.</translation>
    </message>
</context>
<context>
    <name>MeasureForm</name>
    <message>
        <source>Edit measure</source>
        <translation>Ändra åtgärd</translation>
    </message>
    <message>
        <source>New measure</source>
        <translation>Ny åtgärd</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Rubrik</translation>
    </message>
    <message>
        <source>What is to be done, e.g. Replace the lamps in the underpass</source>
        <translation>Vad ska göras, t.ex. Byt armaturerna i gångtunneln</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Prioritet</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beskrivning</translation>
    </message>
    <message>
        <source>Responsible organisation</source>
        <translation>Ansvarig aktör</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>Kontakt</translation>
    </message>
    <message>
        <source>A function, e.g. Gatuenheten</source>
        <translation>En funktion, t.ex. Gatuenheten</translation>
    </message>
    <message>
        <source>Name a function or unit, not a person.</source>
        <translation>Ange en funktion eller enhet, inte en person.</translation>
    </message>
    <message>
        <source>Set a deadline</source>
        <translation>Sätt deadline</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Plan a follow-up</source>
        <translation>Planera uppföljning</translation>
    </message>
    <message>
        <source>Follow-up date</source>
        <translation>Uppföljningsdatum</translation>
    </message>
    <message>
        <source>Effect</source>
        <translation>Effekt</translation>
    </message>
    <message>
        <source>Notes on the effect</source>
        <translation>Kommentar till effekten</translation>
    </message>
    <message>
        <source>The effect is assessed when the measure is done.</source>
        <translation>Effekten bedöms när åtgärden är genomförd.</translation>
    </message>
    <message>
        <source>Focus area</source>
        <translation>Fokusområde</translation>
    </message>
    <message>
        <source>New focus area…</source>
        <translation>Nytt fokusområde…</translation>
    </message>
    <message>
        <source>Public commitment</source>
        <translation>Medborgarlöfte</translation>
    </message>
    <message>
        <source>New public commitment…</source>
        <translation>Nytt medborgarlöfte…</translation>
    </message>
    <message>
        <source>Linked observations</source>
        <translation>Kopplade iakttagelser</translation>
    </message>
    <message>
        <source>&amp;Remove link</source>
        <translation>Ta bort kopplin&amp;g</translation>
    </message>
    <message>
        <source>Sharing</source>
        <translation>Delning</translation>
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
        <source>Measure</source>
        <translation>Åtgärd</translation>
    </message>
    <message>
        <source>&amp;Title</source>
        <translation>&amp;Rubrik</translation>
    </message>
    <message>
        <source>T&amp;ype</source>
        <translation>T&amp;yp</translation>
    </message>
    <message>
        <source>&amp;Priority</source>
        <translation>&amp;Prioritet</translation>
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
        <source>Responsibility and status</source>
        <translation>Ansvar och status</translation>
    </message>
    <message>
        <source>Responsible &amp;organisation</source>
        <translation>&amp;Ansvarig aktör</translation>
    </message>
    <message>
        <source>&amp;Contact</source>
        <translation>&amp;Kontakt</translation>
    </message>
    <message>
        <source>Dead&amp;line</source>
        <translation>Dead&amp;line</translation>
    </message>
    <message>
        <source>&amp;Status</source>
        <translation>S&amp;tatus</translation>
    </message>
    <message>
        <source>Follow-up</source>
        <translation>Uppföljning</translation>
    </message>
    <message>
        <source>Follow-&amp;up date</source>
        <translation>&amp;Uppföljningsdatum</translation>
    </message>
    <message>
        <source>E&amp;ffect</source>
        <translation>&amp;Effekt</translation>
    </message>
    <message>
        <source>Effect &amp;notes</source>
        <translation>K&amp;ommentar till effekten</translation>
    </message>
    <message>
        <source>Focus area and public commitment</source>
        <translation>Fokusområde och medborgarlöfte</translation>
    </message>
    <message>
        <source>Focus &amp;area</source>
        <translation>&amp;Fokusområde</translation>
    </message>
    <message>
        <source>Public co&amp;mmitment</source>
        <translation>&amp;Medborgarlöfte</translation>
    </message>
    <message>
        <source>Ctrl+Enter saves · Esc closes</source>
        <translation>Ctrl+Enter sparar · Esc stänger</translation>
    </message>
    <message>
        <source>(removed)</source>
        <translation>(borttaget)</translation>
    </message>
    <message>
        <source>(deleted)</source>
        <translation>(borttagen)</translation>
    </message>
    <message>
        <source>No observation is linked. Select observations in the main window and choose New measure to link them.</source>
        <translation>Ingen iakttagelse är kopplad. Markera iakttagelser i huvudfönstret och välj Ny åtgärd för att koppla dem.</translation>
    </message>
    <message>
        <source>1 observation</source>
        <translation>1 iakttagelse</translation>
    </message>
    <message>
        <source>{count} observations</source>
        <translation>{count} iakttagelser</translation>
    </message>
    <message>
        <source>Can move on to: {statuses}</source>
        <translation>Kan gå vidare till: {statuses}</translation>
    </message>
    <message>
        <source>A followed-up measure keeps its status.</source>
        <translation>En uppföljd åtgärd behåller sin status.</translation>
    </message>
    <message>
        <source>The measure is overdue.</source>
        <translation>Åtgärden är försenad.</translation>
    </message>
    <message>
        <source>The deadline has already passed.</source>
        <translation>Deadline har redan passerats.</translation>
    </message>
    <message>
        <source>Record the effect the follow-up found.</source>
        <translation>Ange vilken effekt uppföljningen visade.</translation>
    </message>
    <message>
        <source>New focus area</source>
        <translation>Nytt fokusområde</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Namn</translation>
    </message>
    <message>
        <source>New public commitment</source>
        <translation>Nytt medborgarlöfte</translation>
    </message>
    <message>
        <source>Saving measure</source>
        <translation>Sparar åtgärden</translation>
    </message>
    <message>
        <source>The text may contain personal data. Measures describe places and what is done there, not people: mask it before saving?</source>
        <translation>Texten kan innehålla personuppgifter. Åtgärder beskriver platser och vad som görs där, inte personer: vill du maskera dem innan du sparar?</translation>
    </message>
    <message>
        <source>Could not save the measure. Everything you typed is kept; try again.</source>
        <translation>Åtgärden kunde inte sparas. Allt du har skrivit finns kvar; försök igen.</translation>
    </message>
    <message>
        <source>Discard changes?</source>
        <translation>Kasta ändringarna?</translation>
    </message>
    <message>
        <source>Close the form and throw away what you have typed?</source>
        <translation>Stänga formuläret och kasta det du har skrivit?</translation>
    </message>
</context>
<context>
    <name>MeasureTableModel</name>
    <message>
        <source>Measure</source>
        <translation>Åtgärd</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Responsible organisation</source>
        <translation>Ansvarig aktör</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Prioritet</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Follow-up</source>
        <translation>Uppföljning</translation>
    </message>
    <message>
        <source>Focus area</source>
        <translation>Fokusområde</translation>
    </message>
    <message>
        <source>Overdue: the deadline passed yesterday.</source>
        <translation>Försenad: deadline passerades i går.</translation>
    </message>
    <message>
        <source>Overdue: the deadline passed {days} days ago.</source>
        <translation>Försenad: deadline passerades för {days} dagar sedan.</translation>
    </message>
    <message>
        <source>Public commitment: {title}</source>
        <translation>Medborgarlöfte: {title}</translation>
    </message>
</context>
<context>
    <name>MeasuresView</name>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>All open</source>
        <translation>Alla öppna</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Alla</translation>
    </message>
    <message>
        <source>Responsible organisation</source>
        <translation>Ansvarig aktör</translation>
    </message>
    <message>
        <source>All responsible</source>
        <translation>Alla ansvariga</translation>
    </message>
    <message>
        <source>Focus area</source>
        <translation>Fokusområde</translation>
    </message>
    <message>
        <source>All focus areas</source>
        <translation>Alla fokusområden</translation>
    </message>
    <message>
        <source>Without focus area</source>
        <translation>Utan fokusområde</translation>
    </message>
    <message>
        <source>Only &amp;overdue</source>
        <translation>Bara förs&amp;enade</translation>
    </message>
    <message>
        <source>Search measures…</source>
        <translation>Sök åtgärder…</translation>
    </message>
    <message>
        <source>Search measures</source>
        <translation>Sök åtgärder</translation>
    </message>
    <message>
        <source>Measures</source>
        <translation>Åtgärder</translation>
    </message>
    <message>
        <source>Details of the selected measure</source>
        <translation>Detaljer om den valda åtgärden</translation>
    </message>
    <message>
        <source>&amp;New measure</source>
        <translation>&amp;Ny åtgärd</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Ändra</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Ta bort</translation>
    </message>
    <message>
        <source>&amp;Undo delete</source>
        <translation>Ån&amp;gra borttagning</translation>
    </message>
    <message>
        <source>Number of measures</source>
        <translation>Antal åtgärder</translation>
    </message>
    <message>
        <source>&amp;Status</source>
        <translation>&amp;Status</translation>
    </message>
    <message>
        <source>&amp;Responsible</source>
        <translation>Ans&amp;varig</translation>
    </message>
    <message>
        <source>Focus &amp;area</source>
        <translation>&amp;Fokusområde</translation>
    </message>
    <message>
        <source>It is not shown with the chosen filters.</source>
        <translation>Den visas inte med de valda filtren.</translation>
    </message>
    <message>
        <source>1 measure</source>
        <translation>1 åtgärd</translation>
    </message>
    <message>
        <source>{count} measures</source>
        <translation>{count} åtgärder</translation>
    </message>
    <message>
        <source>1 overdue</source>
        <translation>1 försenad</translation>
    </message>
    <message>
        <source>{count} overdue</source>
        <translation>{count} försenade</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Responsible</source>
        <translation>Ansvarig</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>Kontakt</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Prioritet</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <source>Follow-up</source>
        <translation>Uppföljning</translation>
    </message>
    <message>
        <source>Effect</source>
        <translation>Effekt</translation>
    </message>
    <message>
        <source>Public commitment</source>
        <translation>Medborgarlöfte</translation>
    </message>
    <message>
        <source>Linked observations ({count})</source>
        <translation>Kopplade iakttagelser ({count})</translation>
    </message>
    <message>
        <source>Select a measure to see it here.</source>
        <translation>Markera en åtgärd för att se den här.</translation>
    </message>
    <message>
        <source>{total} measures, {open} open</source>
        <translation>{total} åtgärder, {open} öppna</translation>
    </message>
    <message>
        <source>Focus areas</source>
        <translation>Fokusområden</translation>
    </message>
    <message>
        <source>Measure saved.</source>
        <translation>Åtgärden är sparad.</translation>
    </message>
    <message>
        <source>Measure deleted. Undo brings it back.</source>
        <translation>Åtgärden togs bort. Ångra tar tillbaka den.</translation>
    </message>
    <message>
        <source>Measure restored.</source>
        <translation>Åtgärden är återställd.</translation>
    </message>
</context>
<context>
    <name>NewGroupDialog</name>
    <message>
        <source>Year</source>
        <translation>År</translation>
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
        <source>This file cannot be added as a photo:</source>
        <translation>Filen kan inte läggas till som foto:</translation>
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
        <source>The text may contain personal data. Observations describe places, not people: mask it before saving?</source>
        <translation>Texten kan innehålla personuppgifter. Iakttagelser beskriver platser, inte personer: vill du maskera dem innan du sparar?</translation>
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
    <message>
        <source>Personal identity number</source>
        <translation>Personnummer</translation>
    </message>
    <message>
        <source>Coordination number</source>
        <translation>Samordningsnummer</translation>
    </message>
    <message>
        <source>Phone number</source>
        <translation>Telefonnummer</translation>
    </message>
    <message>
        <source>E-mail address</source>
        <translation>E-postadress</translation>
    </message>
    <message>
        <source>Licence plate</source>
        <translation>Registreringsnummer</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Avbryt</translation>
    </message>
    <message>
        <source>Personal data in the text</source>
        <translation>Personuppgifter i texten</translation>
    </message>
    <message>
        <source>Mask and save</source>
        <translation>Maskera och spara</translation>
    </message>
    <message>
        <source>Save anyway</source>
        <translation>Spara ändå</translation>
    </message>
    <message>
        <source>…and {count} more</source>
        <translation>…och {count} till</translation>
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
    <name>OfflineAreaDialog</name>
    <message>
        <source>Something went wrong: {error}</source>
        <translation>Något gick fel: {error}</translation>
    </message>
    <message>
        <source>Prepare area for offline use</source>
        <translation>Förbered område för offline</translation>
    </message>
    <message>
        <source>Drag the corners of the rectangle on the map (or type its edges) and choose the zoom levels. The tiles are fetched from {host} and saved on this computer, so the area shows without network.</source>
        <translation>Dra i rektangelns hörn på kartan (eller skriv in kanterna) och välj zoomnivåer. Plattorna hämtas från {host} och sparas på den här datorn, så att området visas utan nätverk.</translation>
    </message>
    <message>
        <source>Area {date}</source>
        <translation>Område {date}</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Namn</translation>
    </message>
    <message>
        <source>North</source>
        <translation>Norr</translation>
    </message>
    <message>
        <source>N </source>
        <translation>N </translation>
    </message>
    <message>
        <source>West</source>
        <translation>Väster</translation>
    </message>
    <message>
        <source>W </source>
        <translation>V </translation>
    </message>
    <message>
        <source>East</source>
        <translation>Öster</translation>
    </message>
    <message>
        <source>E </source>
        <translation>Ö </translation>
    </message>
    <message>
        <source>South</source>
        <translation>Söder</translation>
    </message>
    <message>
        <source>S </source>
        <translation>S </translation>
    </message>
    <message>
        <source>Use the visible map</source>
        <translation>Använd kartans utsnitt</translation>
    </message>
    <message>
        <source>From zoom level</source>
        <translation>Från zoomnivå</translation>
    </message>
    <message>
        <source>To zoom level</source>
        <translation>Till zoomnivå</translation>
    </message>
    <message>
        <source>Tiles and size</source>
        <translation>Plattor och storlek</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Hämta</translation>
    </message>
    <message>
        <source>Cancel download</source>
        <translation>Avbryt hämtningen</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Stäng</translation>
    </message>
    <message>
        <source>Area (degrees)</source>
        <translation>Område (grader)</translation>
    </message>
    <message>
        <source>Zoom levels</source>
        <translation>Zoomnivåer</translation>
    </message>
    <message>
        <source>The download of “{name}” did not finish. Download again to continue where it stopped.</source>
        <translation>Hämtningen av ”{name}” blev inte klar. Hämta igen för att fortsätta där den slutade.</translation>
    </message>
    <message numerus="yes">
        <source>%n tiles; estimating the size…</source>
        <translation>
            <numerusform>%n platta; storleken beräknas…</numerusform>
            <numerusform>%n plattor; storleken beräknas…</numerusform>
        </translation>
    </message>
    <message>
        <source>Mark the area on the map.</source>
        <translation>Markera området på kartan.</translation>
    </message>
    <message>
        <source>{count} tiles, about {size} (estimated from {samples} tiles fetched from the server).</source>
        <translation>{count} plattor, cirka {size} (uppskattat från {samples} plattor hämtade från servern).</translation>
    </message>
    <message>
        <source>{count} tiles, about {size} (a typical tile size: the server did not answer).</source>
        <translation>{count} plattor, cirka {size} (en typisk plattstorlek: servern svarade inte).</translation>
    </message>
    <message>
        <source>Downloading…</source>
        <translation>Hämtar…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Avbryter…</translation>
    </message>
    <message>
        <source>Done: {count} tiles fetched ({size}), {kept} were already there. The area now shows without network.</source>
        <translation>Klart: {count} plattor hämtade ({size}), {kept} fanns redan. Området visas nu utan nätverk.</translation>
    </message>
    <message>
        <source>Cancelled after {done} of {total} tiles. Download again to continue where it stopped.</source>
        <translation>Avbrutet efter {done} av {total} plattor. Hämta igen för att fortsätta där den slutade.</translation>
    </message>
    <message>
        <source>{failed} tiles could not be fetched. Download again to fetch the rest.</source>
        <translation>{failed} plattor kunde inte hämtas. Hämta igen för att hämta resten.</translation>
    </message>
    <message>
        <source>What was fetched is kept; download again to continue.</source>
        <translation>Det som hämtats sparas; hämta igen för att fortsätta.</translation>
    </message>
</context>
<context>
    <name>OnlineBaseMap</name>
    <message>
        <source>Online map source…</source>
        <translation>Karttjänst på nätet…</translation>
    </message>
    <message>
        <source>Prepare area for offline…</source>
        <translation>Förbered område för offline…</translation>
    </message>
    <message>
        <source>Online map source</source>
        <translation>Karttjänst på nätet</translation>
    </message>
    <message>
        <source>Choose an online map source first (Map menu).</source>
        <translation>Välj först en karttjänst på nätet (menyn Karta).</translation>
    </message>
</context>
<context>
    <name>OnlineSourceDialog</name>
    <message>
        <source>Online map source</source>
        <translation>Karttjänst på nätet</translation>
    </message>
    <message>
        <source>Tiles are fetched by the program (never by the map page) while the computer is online, and every tile shown is saved so that it shows again offline. Use your own tile server or a provider whose terms allow this use.</source>
        <translation>Plattorna hämtas av programmet (aldrig av kartsidan) när datorn är uppkopplad, och varje platta som visas sparas så att den visas igen utan nätverk. Använd en egen plattserver eller en leverantör vars villkor tillåter den här användningen.</translation>
    </message>
    <message>
        <source>Tile address</source>
        <translation>Adress till plattorna</translation>
    </message>
    <message>
        <source>© The map's owner</source>
        <translation>© Kartans ägare</translation>
    </message>
    <message>
        <source>Credit</source>
        <translation>Källhänvisning</translation>
    </message>
    <message>
        <source>Lowest zoom level</source>
        <translation>Lägsta zoomnivå</translation>
    </message>
    <message>
        <source>Highest zoom level</source>
        <translation>Högsta zoomnivå</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>Kontakt</translation>
    </message>
    <message>
        <source> per second</source>
        <translation> per sekund</translation>
    </message>
    <message>
        <source>At most requests</source>
        <translation>Högst antal förfrågningar</translation>
    </message>
    <message>
        <source>Connections at once</source>
        <translation>Samtidiga anslutningar</translation>
    </message>
    <message>
        <source>Contact (sent to the server)</source>
        <translation>Kontakt (skickas till servern)</translation>
    </message>
    <message>
        <source>OpenStreetMap's own tile servers are run by volunteers: the map can be shown from them, but their usage policy forbids preparing areas for offline use (bulk downloading).</source>
        <translation>OpenStreetMaps egna plattservrar drivs av frivilliga: kartan kan visas därifrån, men deras användningsvillkor förbjuder att områden förbereds för offline (massnedladdning).</translation>
    </message>
</context>
<context>
    <name>OpenMeasureModel</name>
    <message>
        <source>Measure</source>
        <translation>Åtgärd</translation>
    </message>
    <message>
        <source>Responsible</source>
        <translation>Ansvarig</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Overdue by {days} days</source>
        <translation>Försenad med {days} dagar</translation>
    </message>
</context>
<context>
    <name>Period</name>
    <message>
        <source> months</source>
        <translation> månader</translation>
    </message>
    <message>
        <source>As above</source>
        <translation>Som ovan</translation>
    </message>
    <message>
        <source>Keep</source>
        <translation>Bevara</translation>
    </message>
    <message>
        <source>Kept in full without end (bevaras)</source>
        <translation>Bevaras i sin helhet utan slut</translation>
    </message>
</context>
<context>
    <name>PhotoMetadataDialog</name>
    <message>
        <source>Photo metadata</source>
        <translation>Metadata i foton</translation>
    </message>
    <message>
        <source>Photos lose their metadata when they are added: position, time, camera, owner and preview image. The photo that is stored, shared with partners and exported is the same. The orientation is always kept. Keep also:</source>
        <translation>Foton rensas från metadata när de läggs till: position, tidpunkt, kamera, ägare och förhandsbild. Det foto som sparas, delas med samverkansparter och exporteras är detsamma. Orienteringen behålls alltid. Behåll också:</translation>
    </message>
    <message>
        <source>Capture time</source>
        <translation>Tidpunkt då fotot togs</translation>
    </message>
    <message>
        <source>GPS position</source>
        <translation>GPS-position</translation>
    </message>
    <message>
        <source>Applies to photos added from now on.</source>
        <translation>Gäller foton som läggs till från och med nu.</translation>
    </message>
    <message>
        <source>Photo metadata…</source>
        <translation>Metadata i foton…</translation>
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
<context>
    <name>RekeyDialog</name>
    <message>
        <source>Change the database key</source>
        <translation>Byt databasens nyckel</translation>
    </message>
    <message>
        <source>The database and the photos get a new key; the old key opens nothing afterwards. Every account keeps its password. Other work waits until it is done. A sync or a retention run that is going on is finished first: the key change waits for it.</source>
        <translation>Databasen och bilderna får en ny nyckel; den gamla nyckeln öppnar ingenting efteråt. Alla konton behåller sina lösenord. Annat arbete väntar tills bytet är klart. En synkronisering eller gallring som pågår får avslutas först: nyckelbytet väntar på den.</translation>
    </message>
    <message>
        <source>Your password</source>
        <translation>Ditt lösenord</translation>
    </message>
    <message>
        <source>Keep the key in the operating system's keyring (it then opens only on this computer, for this user account)</source>
        <translation>Förvara nyckeln i operativsystemets nyckelring (databasen öppnas då bara på den här datorn, med det här användarkontot)</translation>
    </message>
    <message>
        <source>Change the key</source>
        <translation>Byt nyckel</translation>
    </message>
    <message>
        <source>The database is not encrypted; there is no key to change.</source>
        <translation>Databasen är inte krypterad; det finns ingen nyckel att byta.</translation>
    </message>
    <message>
        <source>Type your password.</source>
        <translation>Skriv ditt lösenord.</translation>
    </message>
    <message>
        <source>Changing the database key</source>
        <translation>Byter databasens nyckel</translation>
    </message>
</context>
<context>
    <name>RestoreDialog</name>
    <message>
        <source>Restore a backup</source>
        <translation>Återställ en säkerhetskopia</translation>
    </message>
    <message>
        <source>Choose a backup to put in the database's place. The file there now is kept beside it (.before-restore). Changes made after the backup that were not synced are not in it; a sync fetches what the server has.</source>
        <translation>Välj den säkerhetskopia som ska ersätta databasen. Filen som finns där nu sparas bredvid (.before-restore). Ändringar efter säkerhetskopian som inte hade synkats finns inte med; en synkning hämtar det som finns på servern.</translation>
    </message>
    <message>
        <source>Backups</source>
        <translation>Säkerhetskopior</translation>
    </message>
    <message>
        <source>There are no backups of this database yet.</source>
        <translation>Det finns inga säkerhetskopior av den här databasen ännu.</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>Återställ</translation>
    </message>
    <message>
        <source>Restoring…</source>
        <translation>Återställer…</translation>
    </message>
    <message>
        <source>The backup could not be restored: %1</source>
        <translation>Säkerhetskopian gick inte att återställa: %1</translation>
    </message>
</context>
<context>
    <name>RetentionDialog</name>
    <message>
        <source>Retention</source>
        <translation>Gallring</translation>
    </message>
    <message>
        <source>Records past their period are thinned: free text and photos are removed, the position is coarsened to a 250 m grid and the time to the week. A category without a period of its own takes its parent's, then the default.</source>
        <translation>Poster som passerat sin gallringstid gallras: fritext och bilder tas bort, positionen grovgörs till ett rutnät på 250 m och tiden till veckan. En kategori utan egen gallringstid får sin överkategoris, annars standardtiden.</translation>
    </message>
    <message>
        <source>Default period</source>
        <translation>Standardtid</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>Kategori</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>Gallringstid</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Hämtar…</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Spara</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Provkör</translation>
    </message>
    <message>
        <source>Count what a run would thin; change nothing</source>
        <translation>Räkna vad en gallring skulle ta bort; ändra ingenting</translation>
    </message>
    <message>
        <source>Run now</source>
        <translation>Gallra nu</translation>
    </message>
    <message>
        <source>Your role may see the retention periods but not change them.</source>
        <translation>Din roll får se gallringstiderna men inte ändra dem.</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Sparar…</translation>
    </message>
    <message>
        <source>The retention periods are saved.</source>
        <translation>Gallringstiderna är sparade.</translation>
    </message>
    <message>
        <source>Counting…</source>
        <translation>Räknar…</translation>
    </message>
    <message>
        <source>Thinning…</source>
        <translation>Gallrar…</translation>
    </message>
    <message>
        <source>Preview: nothing was changed.</source>
        <translation>Provkörning: ingenting ändrades.</translation>
    </message>
</context>
<context>
    <name>ServerPage</name>
    <message>
        <source>Sync server</source>
        <translation>Synkserver</translation>
    </message>
    <message>
        <source>Optional: leave it empty to work on this computer only.</source>
        <translation>Valfritt: lämna tomt för att bara arbeta på den här datorn.</translation>
    </message>
    <message>
        <source>With a sync server, the municipality's and the police's computers share their observations when they have a network. You can add or change it later under Sync settings.</source>
        <translation>Med en synkserver delar kommunens och polisens datorer sina iakttagelser när de har nät. Du kan lägga till eller ändra den senare under Synkinställningar.</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Serveradress</translation>
    </message>
</context>
<context>
    <name>SyncAttentionDialog</name>
    <message>
        <source>Conflicts and refused changes</source>
        <translation>Konflikter och avvisade ändringar</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>Post</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Fält</translation>
    </message>
    <message>
        <source>Your value</source>
        <translation>Ditt värde</translation>
    </message>
    <message>
        <source>Server's value</source>
        <translation>Serverns värde</translation>
    </message>
    <message>
        <source>Conflicts</source>
        <translation>Konflikter</translation>
    </message>
    <message>
        <source>Keep my value</source>
        <translation>Behåll mitt värde</translation>
    </message>
    <message>
        <source>Keep the server's value</source>
        <translation>Behåll serverns värde</translation>
    </message>
    <message>
        <source>Two people changed the same field. Both values are kept here; the record shows the later one until you choose.</source>
        <translation>Två personer har ändrat samma fält. Båda värdena finns kvar här; posten visar det senaste tills du väljer.</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Ändring</translation>
    </message>
    <message>
        <source>The server's answer</source>
        <translation>Serverns svar</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Försök</translation>
    </message>
    <message>
        <source>Refused changes</source>
        <translation>Avvisade ändringar</translation>
    </message>
    <message>
        <source>Send again</source>
        <translation>Skicka igen</translation>
    </message>
    <message>
        <source>Give up the change</source>
        <translation>Släng ändringen</translation>
    </message>
    <message>
        <source>Mask and send</source>
        <translation>Maskera och skicka</translation>
    </message>
    <message>
        <source>Send anyway</source>
        <translation>Skicka ändå</translation>
    </message>
    <message>
        <source>The server refused these changes, or they would share personal data with the partner organisations. They stay here, and the other changes sync as usual, until you send them again (for example after your role was changed), mask the personal data, send them anyway or give them up.</source>
        <translation>Servern avvisade de här ändringarna, eller så skulle de dela personuppgifter med samverkansparterna. De ligger kvar här, och övriga ändringar synkas som vanligt, tills du skickar dem igen (till exempel efter att din roll har ändrats), maskerar personuppgifterna, skickar dem ändå eller avstår från dem.</translation>
    </message>
    <message>
        <source>Needs attention</source>
        <translation>Behöver åtgärd</translation>
    </message>
    <message>
        <source>Why it was not stored</source>
        <translation>Varför den inte sparades</translation>
    </message>
    <message>
        <source>Received values</source>
        <translation>Mottagna värden</translation>
    </message>
    <message>
        <source>Received changes not stored</source>
        <translation>Mottagna ändringar som inte sparades</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>Försök igen</translation>
    </message>
    <message>
        <source>Remove from the list</source>
        <translation>Ta bort ur listan</translation>
    </message>
    <message>
        <source>These changes came from the server but hold values this device cannot store. Everything else was received as usual. The record keeps what this device had; a later change of it replaces the one here. Try again after updating the program, or remove the change from the list.</source>
        <translation>De här ändringarna kom från servern men innehåller värden som den här enheten inte kan spara. Allt annat togs emot som vanligt. Posten behåller det den här enheten hade; en senare ändring av den ersätter den som står här. Försök igen efter att programmet har uppdaterats, eller ta bort ändringen ur listan.</translation>
    </message>
    <message>
        <source>Not stored</source>
        <translation>Ej sparade</translation>
    </message>
    <message>
        <source>Conflicts ({n})</source>
        <translation>Konflikter ({n})</translation>
    </message>
    <message>
        <source>Needs attention ({n})</source>
        <translation>Behöver åtgärd ({n})</translation>
    </message>
    <message>
        <source>Not stored ({n})</source>
        <translation>Ej sparade ({n})</translation>
    </message>
    <message>
        <source>Values this version cannot store: {fields}</source>
        <translation>Värden som den här versionen inte kan spara: {fields}</translation>
    </message>
    <message>
        <source>The local database did not accept it (see the tooltip).</source>
        <translation>Den lokala databasen tog inte emot den (se verktygstipset).</translation>
    </message>
    <message>
        <source>Observation</source>
        <translation>Iakttagelse</translation>
    </message>
    <message>
        <source>Measure</source>
        <translation>Åtgärd</translation>
    </message>
    <message>
        <source>Safety walk</source>
        <translation>Trygghetsvandring</translation>
    </message>
    <message>
        <source>Photo</source>
        <translation>Foto</translation>
    </message>
    <message>
        <source>Area</source>
        <translation>Område</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>Kategori</translation>
    </message>
    <message>
        <source>Focus area</source>
        <translation>Fokusområde</translation>
    </message>
    <message>
        <source>Commitment</source>
        <translation>Medborgarlöfte</translation>
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
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>Allvarlighet</translation>
    </message>
    <message>
        <source>Place</source>
        <translation>Plats</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>Slutdag</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Prioritet</translation>
    </message>
    <message>
        <source>Deleted</source>
        <translation>Borttagen</translation>
    </message>
    <message>
        <source>Linked observations</source>
        <translation>Kopplade iakttagelser</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Ta bort</translation>
    </message>
    <message>
        <source>Give up this change? The record is fetched again from the server at the next sync; what you changed stays in the audit log.</source>
        <translation>Släng den här ändringen? Posten hämtas på nytt från servern vid nästa synk; det du ändrade finns kvar i loggen.</translation>
    </message>
    <message>
        <source>Remove this received change? The record keeps what this device holds; the removal is noted in the audit log.</source>
        <translation>Ta bort den mottagna ändringen? Posten behåller det som finns på den här enheten; borttagningen förs in i loggen.</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>Synk</translation>
    </message>
</context>
<context>
    <name>SyncControl</name>
    <message>
        <source>Sync status</source>
        <translation>Synkstatus</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>Synka nu</translation>
    </message>
    <message>
        <source>Sync settings…</source>
        <translation>Synkinställningar…</translation>
    </message>
    <message>
        <source>Conflicts and refused changes…</source>
        <translation>Konflikter och avvisade ändringar…</translation>
    </message>
    <message>
        <source>Log in to the server</source>
        <translation>Logga in på servern</translation>
    </message>
    <message>
        <source>Password for {user} on {server}:</source>
        <translation>Lösenord för {user} på {server}:</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>Synk</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>Synkar…</translation>
    </message>
    <message>
        <source>Conflicts and refused changes ({n})…</source>
        <translation>Konflikter och avvisade ändringar ({n})…</translation>
    </message>
    <message>
        <source>Not synced: no server set</source>
        <translation>Ej synkad: ingen server inställd</translation>
    </message>
    <message>
        <source>Sync failed: {reason}</source>
        <translation>Synkningen misslyckades: {reason}</translation>
    </message>
    <message numerus="yes">
        <source>%n change(s)</source>
        <translation>
            <numerusform>%n ändring</numerusform>
            <numerusform>%n ändringar</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n photo(s)</source>
        <translation>
            <numerusform>%n foto</numerusform>
            <numerusform>%n foton</numerusform>
        </translation>
    </message>
    <message>
        <source>{what} waiting</source>
        <translation>{what} väntar</translation>
    </message>
    <message>
        <source> and </source>
        <translation> och </translation>
    </message>
    <message>
        <source>All synced</source>
        <translation>Allt synkat</translation>
    </message>
    <message numerus="yes">
        <source>%n conflict(s)</source>
        <translation>
            <numerusform>%n konflikt</numerusform>
            <numerusform>%n konflikter</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n refused</source>
        <translation>
            <numerusform>%n avvisad</numerusform>
            <numerusform>%n avvisade</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n received not stored</source>
        <translation>
            <numerusform>%n mottagen ej sparad</numerusform>
            <numerusform>%n mottagna ej sparade</numerusform>
        </translation>
    </message>
    <message>
        <source>last synced {when}</source>
        <translation>senast synkad {when}</translation>
    </message>
    <message>
        <source>never synced</source>
        <translation>aldrig synkad</translation>
    </message>
</context>
<context>
    <name>SyncSettingsDialog</name>
    <message>
        <source>Sync settings</source>
        <translation>Synkinställningar</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Serveradress</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Användarnamn</translation>
    </message>
    <message>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <source>Only when I ask</source>
        <translation>Bara när jag ber om det</translation>
    </message>
    <message>
        <source>Sync every</source>
        <translation>Synka var</translation>
    </message>
    <message>
        <source>The server address starts with https:// (or http:// on a closed network).</source>
        <translation>Serveradressen börjar med https:// (eller http:// i ett slutet nät).</translation>
    </message>
    <message>
        <source>Give the user name you log in to the server with.</source>
        <translation>Ange användarnamnet du loggar in på servern med.</translation>
    </message>
</context>
<context>
    <name>TrendChart</name>
    <message>
        <source>Observations per week, the last 52 weeks</source>
        <translation>Iakttagelser per vecka, de senaste 52 veckorna</translation>
    </message>
    <message>
        <source>No data</source>
        <translation>Inga uppgifter</translation>
    </message>
    <message>
        <source>Week {week} (from {monday}): {count}</source>
        <translation>Vecka {week} (från {monday}): {count}</translation>
    </message>
    <message>
        <source>(the period ends during this week)</source>
        <translation>(perioden slutar under veckan)</translation>
    </message>
</context>
<context>
    <name>WalkFinding</name>
    <message>
        <source>Sa&amp;fety walk</source>
        <translation>Trygg&amp;hetsvandring</translation>
    </message>
    <message>
        <source>Show the safety walk finding</source>
        <translation>Visa trygghetsvandringens punkt</translation>
    </message>
    <message>
        <source>Walk</source>
        <translation>Vandring</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Ingen</translation>
    </message>
    <message>
        <source>Stop number</source>
        <translation>Punktnummer</translation>
    </message>
    <message>
        <source>not rated</source>
        <translation>ej bedömd</translation>
    </message>
    <message>
        <source>0 = poor … 3 = good</source>
        <translation>0 = dåligt … 3 = bra</translation>
    </message>
    <message>
        <source>Proposed measure</source>
        <translation>Föreslagen åtgärd</translation>
    </message>
    <message>
        <source>What would make the place safer, e.g. cut back the bushes by the path</source>
        <translation>Vad skulle göra platsen tryggare, t.ex. röj buskarna vid gångvägen</translation>
    </message>
    <message>
        <source>Wal&amp;k</source>
        <translation>Vandrin&amp;g</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Punkt</translation>
    </message>
    <message>
        <source>Ratings (0 = poor, 3 = good)</source>
        <translation>Bedömning (0 = dåligt, 3 = bra)</translation>
    </message>
    <message>
        <source>Pr&amp;oposed measure</source>
        <translation>&amp;Föreslagen åtgärd</translation>
    </message>
    <message>
        <source>a walk not on this device</source>
        <translation>en vandring som inte finns på den här datorn</translation>
    </message>
    <message>
        <source>stop {number}</source>
        <translation>punkt {number}</translation>
    </message>
    <message>
        <source>{count} of 9 rated</source>
        <translation>{count} av 9 bedömda</translation>
    </message>
</context>
<context>
    <name>WalkForm</name>
    <message>
        <source>Edit safety walk</source>
        <translation>Ändra trygghetsvandring</translation>
    </message>
    <message>
        <source>New safety walk</source>
        <translation>Ny trygghetsvandring</translation>
    </message>
    <message>
        <source>e.g. Evening walk Köping centre</source>
        <translation>t.ex. Kvällsvandring Köping centrum</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Rubrik</translation>
    </message>
    <message>
        <source>Date and time</source>
        <translation>Datum och tid</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Ljus</translation>
    </message>
    <message>
        <source>Area</source>
        <translation>Område</translation>
    </message>
    <message>
        <source>No area</source>
        <translation>Inget område</translation>
    </message>
    <message>
        <source>Organiser</source>
        <translation>Arrangör</translation>
    </message>
    <message>
        <source>Organisation or function, not a name</source>
        <translation>Organisation eller funktion, inte ett namn</translation>
    </message>
    <message>
        <source>Phase</source>
        <translation>Fas</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>Anteckningar</translation>
    </message>
    <message>
        <source>&amp;Title</source>
        <translation>&amp;Rubrik</translation>
    </message>
    <message>
        <source>&amp;Date and time</source>
        <translation>&amp;Datum och tid</translation>
    </message>
    <message>
        <source>&amp;Light</source>
        <translation>&amp;Ljus</translation>
    </message>
    <message>
        <source>&amp;Area</source>
        <translation>&amp;Område</translation>
    </message>
    <message>
        <source>&amp;Organiser</source>
        <translation>&amp;Arrangör</translation>
    </message>
    <message>
        <source>Partici&amp;pants</source>
        <translation>Delta&amp;gare</translation>
    </message>
    <message>
        <source>P&amp;hase</source>
        <translation>&amp;Fas</translation>
    </message>
    <message>
        <source>&amp;Notes</source>
        <translation>A&amp;nteckningar</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Spara</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Avbryt</translation>
    </message>
    <message>
        <source>The text may contain personal data. A walk's notes describe places, not people: mask it before saving?</source>
        <translation>Texten kan innehålla personuppgifter. En vandrings anteckningar beskriver platser, inte personer: vill du maskera dem innan du sparar?</translation>
    </message>
    <message>
        <source>The walk was not saved: {reason}</source>
        <translation>Vandringen sparades inte: {reason}</translation>
    </message>
    <message>
        <source>Safety walk</source>
        <translation>Trygghetsvandring</translation>
    </message>
</context>
<context>
    <name>WalksView</name>
    <message>
        <source>Phase</source>
        <translation>Fas</translation>
    </message>
    <message>
        <source>All phases</source>
        <translation>Alla faser</translation>
    </message>
    <message>
        <source>Walk</source>
        <translation>Vandring</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Datum</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Ljus</translation>
    </message>
    <message>
        <source>Findings</source>
        <translation>Punkter</translation>
    </message>
    <message>
        <source>Safety walks</source>
        <translation>Trygghetsvandringar</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Punkt</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>Kategori</translation>
    </message>
    <message>
        <source>Description / proposed measure</source>
        <translation>Beskrivning / föreslagen åtgärd</translation>
    </message>
    <message>
        <source>Ratings</source>
        <translation>Bedömning</translation>
    </message>
    <message>
        <source>Findings of the selected walk</source>
        <translation>Punkter för vald vandring</translation>
    </message>
    <message>
        <source>&amp;New walk</source>
        <translation>&amp;Ny vandring</translation>
    </message>
    <message>
        <source>&amp;Edit walk</source>
        <translation>&amp;Ändra vandring</translation>
    </message>
    <message>
        <source>Import route (&amp;GPX)…</source>
        <translation>Importera rutt (&amp;GPX)…</translation>
    </message>
    <message>
        <source>&amp;Draw route</source>
        <translation>&amp;Rita rutt</translation>
    </message>
    <message>
        <source>Sa&amp;ve route</source>
        <translation>Spara r&amp;utt</translation>
    </message>
    <message>
        <source>◀ &amp;Previous phase</source>
        <translation>◀ &amp;Föregående fas</translation>
    </message>
    <message>
        <source>Ne&amp;xt phase ▶</source>
        <translation>Nä&amp;sta fas ▶</translation>
    </message>
    <message>
        <source>New &amp;stop</source>
        <translation>Ny &amp;punkt</translation>
    </message>
    <message>
        <source>Export protocol (PDF)…</source>
        <translation>Skriv ut protokoll (PDF)…</translation>
    </message>
    <message>
        <source>The walk's protocol: route map, participants, findings with photos and ratings, measures</source>
        <translation>Vandringens protokoll: ruttkarta, deltagare, fynd med bilder och bedömningar, åtgärder</translation>
    </message>
    <message>
        <source>P&amp;hase</source>
        <translation>F&amp;as</translation>
    </message>
    <message>
        <source>1 walk</source>
        <translation>1 vandring</translation>
    </message>
    <message>
        <source>{count} walks</source>
        <translation>{count} vandringar</translation>
    </message>
    <message>
        <source>Route: {count} points</source>
        <translation>Rutt: {count} punkter</translation>
    </message>
    <message>
        <source>No route yet</source>
        <translation>Ingen rutt än</translation>
    </message>
    <message>
        <source>{mean} on average, {count} of 9 rated; lowest: {name} {value}</source>
        <translation>{mean} i snitt, {count} av 9 bedömda; lägst: {name} {value}</translation>
    </message>
    <message>
        <source>Walk saved.</source>
        <translation>Vandringen sparad.</translation>
    </message>
    <message>
        <source>The walk is now: {phase}.</source>
        <translation>Vandringen är nu: {phase}.</translation>
    </message>
    <message>
        <source>Import route</source>
        <translation>Importera rutt</translation>
    </message>
    <message>
        <source>GPX files (*.gpx);;All files (*)</source>
        <translation>GPX-filer (*.gpx);;Alla filer (*)</translation>
    </message>
    <message>
        <source>Route imported: {count} points, {km} km.</source>
        <translation>Rutten importerad: {count} punkter, {km} km.</translation>
    </message>
    <message>
        <source>The line was simplified from {count} points.</source>
        <translation>Linjen förenklades från {count} punkter.</translation>
    </message>
    <message>
        <source>Click on the map to add points; drag a point to move it.</source>
        <translation>Klicka på kartan för att lägga till punkter; dra en punkt för att flytta den.</translation>
    </message>
    <message>
        <source>Route saved: {count} points.</source>
        <translation>Rutten sparad: {count} punkter.</translation>
    </message>
    <message>
        <source>Finding saved.</source>
        <translation>Punkten sparad.</translation>
    </message>
    <message>
        <source>Export protocol</source>
        <translation>Skriv ut protokoll</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF-filer (*.pdf)</translation>
    </message>
    <message>
        <source>Writing the protocol…</source>
        <translation>Skriver protokollet…</translation>
    </message>
    <message>
        <source>Saved {file}.</source>
        <translation>Sparade {file}.</translation>
    </message>
    <message>
        <source>Cannot write {file}: {reason}</source>
        <translation>Kan inte skriva {file}: {reason}</translation>
    </message>
</context>
<context>
    <name>WeekdayHourModel</name>
    <message>
        <source>Mon</source>
        <translation>Mån</translation>
    </message>
    <message>
        <source>Tue</source>
        <translation>Tis</translation>
    </message>
    <message>
        <source>Wed</source>
        <translation>Ons</translation>
    </message>
    <message>
        <source>Thu</source>
        <translation>Tor</translation>
    </message>
    <message>
        <source>Fri</source>
        <translation>Fre</translation>
    </message>
    <message>
        <source>Sat</source>
        <translation>Lör</translation>
    </message>
    <message>
        <source>Sun</source>
        <translation>Sön</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Summa</translation>
    </message>
    <message>
        <source>{start:02d}:00–{start:02d}:59</source>
        <translation>{start:02d}:00–{start:02d}:59</translation>
    </message>
    <message>
        <source>{weekday} {start:02d}:00–{start:02d}:59: {count}</source>
        <translation>{weekday} {start:02d}:00–{start:02d}:59: {count}</translation>
    </message>
</context>
</TS>