"""Common French names, for demo families (invented people)."""

GIRLS = """Emma Jade Louise Alice Chloé Lina Léa Rose Anna Mila Inès Ambre Julia Mia Léna
Manon Juliette Lou Zoé Camille Agathe Jeanne Sarah Romane Eva Nina Lucie Léonie Adèle
Margaux Clémence Océane Maëlys Héloïse Capucine Mathilde Élise Noémie Salomé Morgane
Anaïs Justine Pauline Clara Marie Charlotte Victoire Apolline Gabrielle Maëlle""".split()

BOYS = """Gabriel Léo Raphaël Louis Arthur Jules Adam Maël Lucas Hugo Noah Liam Gabin
Sacha Paul Nathan Aaron Mohamed Ethan Tom Éden Théo Noé Tiago Mathis Timéo Victor
Martin Axel Léon Antoine Valentin Baptiste Clément Maxime Alexis Thomas Romain Julien
Enzo Quentin Benoît Kylian Yanis Samuel David Pierre Étienne Mathéo Bastien""".split()

ADULT_WOMEN = """Nathalie Isabelle Sylvie Catherine Sandrine Valérie Christelle Stéphanie
Céline Aurélie Virginie Émilie Caroline Delphine Karine Sophie Laurence Hélène Élodie
Audrey Julie Marion Sabine Véronique Anne""".split()

ADULT_MEN = """Pascal Philippe Christophe Stéphane Laurent Frédéric Olivier Nicolas Éric
Sébastien David Thierry Jérôme Franck Vincent Cédric Arnaud Guillaume Fabrice Ludovic
Mickaël Yannick Bruno Hervé Patrick""".split()

SURNAMES = """Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon
Michel Lefèvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert
Fontaine Rousseau Vincent Muller Lefebvre Faure André Mercier Blanc Guérin Boyer Garnier
Chevalier François Legrand Gauthier Garcia Perrin Robin Clément Morin Nicolas Henry
Roussel Mathieu Gautier Masson Marchand Duval Denis Dumont Marie Lemaire Noël Meyer
Dufour Meunier Brun Blanchard Giraud Joly Rivière Lucas Brunet Gaillard Barbier Arnaud
Martinez Gérard Roche Renard Schmitt Roy Leroux Colin Vidal Caron Picard Roger Fabre
Aubert Lemoine Renaud Dumas Lacroix Olivier Philippe Bourgeois Pierre Benoît Rey Leclerc
Payet Rolland Leclercq Guillaume Lecomte Lopez Jean Dupuy Guillot Hubert Berger Carpentier
Sanchez Dupuis Moulin Louis Deschamps Huet Vasseur Perez Boucher Fleury Royer Klein
Jacquet Adam Paris Poirier Marty Aubry Guyot Carré Charles Renault Charpentier Ménard
Maillard Baron Bertin Bailly Hervé Schneider Fernandez Le_Gall Collet Léger Bouvier
Julien Prévost Millet Perrot Daniel Le_Roux Cousin Germain Breton Besson Langlois Rémy
Le_Goff Pelletier Lévêque Perrier Leblanc Barré Lebrun Marchal Weber Mallet Hamon Boulanger
Jacob Monnier Michaud Rodriguez Guichard Gillet Étienne Grondin Poulain Tessier Chevallier
Collin Chauvin Da_Silva Bouchet Gay Lemaître Bénard Maréchal Humbert Reynaud Antoine
Hoarau Perret Barthélemy Cordier Pichon Lejeune Gilbert Lamy Delaunay Pasquier Carlier
Laporte""".split()
SURNAMES = [name.replace("_", " ") for name in SURNAMES]  # "Le_Gall" is one name

STREETS = """rue de la République|avenue Foch|rue Saint-Dizier|rue des Jardiniers|
boulevard Clemenceau|rue Jeanne d'Arc|place Stanislas|rue de Metz|allée des Tilleuls|
rue Victor Hugo|chemin des Vignes|rue Pasteur|avenue du Général Leclerc|rue des Écoles|
impasse des Lilas|rue du Moulin""".replace("\n", "").split("|")

PROFESSIONS = """infirmière|professeur des écoles|artisan|agent administratif|ingénieur|
commerçant|aide-soignant|comptable|chauffeur|agricultrice|technicien|sans profession|
employée de bureau|cadre|boulanger|médecin""".replace("\n", "").split("|")
